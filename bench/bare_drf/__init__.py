"""A bare Django REST framework project: the yardstick bench/intake_and_list.py serves in
the same sitting as LeadCRM, so LeadCRM's figures can be read as ratios of it whatever
the machine's speed that day. One model, a ModelSerializer create and a 50-row
cursor-paginated list, no authentication. Nothing of LeadCRM is imported."""
