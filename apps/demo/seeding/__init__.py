"""Demo data for `manage.py seed_demo`: a believable hospital, its staff, referral
sources and leads. Reference data goes through the ORM; the big tables (people,
leads, activities, consents) are generated in Python and loaded with COPY."""
