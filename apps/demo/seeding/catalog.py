"""The demo hospital, "Riverside Health": its campuses, service lines, staff and teams.

Fixed data, so the demo logins and the shape of the hospital are the same on every
machine; only people, referral sources and leads come from the seeded generators.
"""

from dataclasses import dataclass

from apps.demo.seeding.service_lines import SERVICE_LINES

BRAND = "Riverside Health"
WEBSITE = "https://www.riversidehealth.example"
# Documented in the README and printed at the end of every seed: demo data only.
DEMO_PASSWORD = "leadcrm-demo"  # noqa: S105


@dataclass(frozen=True)
class LocationSpec:
    slug: str
    name: str
    address_line1: str
    city: str
    state: str
    postal_code: str
    phone: str
    time_zone: str
    # weekday (0 = Monday) -> (opens "HH:MM", closes "HH:MM"); missing days are closed.
    hours: dict[int, tuple[str, str]]
    territory: str
    area_codes: tuple[str, ...]
    postal_prefixes: tuple[str, ...]
    weight: int  # share of leads


LOCATIONS = [
    LocationSpec(
        slug="riverside-general",
        name="Riverside General Hospital",
        address_line1="1500 N Riverside Drive",
        city="Chicago",
        state="IL",
        postal_code="60614",
        phone="+13125550100",
        time_zone="America/Chicago",
        hours={**{d: ("07:00", "19:00") for d in range(5)}, 5: ("08:00", "12:00")},
        territory="Chicago South",
        area_codes=("312", "773", "872", "708", "630", "331"),
        postal_prefixes=("606", "604", "605"),
        weight=50,
    ),
    LocationSpec(
        slug="northshore-outpatient",
        name="Northshore Outpatient Pavilion",
        address_line1="820 Lakeview Avenue",
        city="Evanston",
        state="IL",
        postal_code="60201",
        phone="+18475550120",
        time_zone="America/Chicago",
        hours={d: ("08:00", "17:00") for d in range(5)},
        territory="Chicago North",
        area_codes=("847", "224", "815", "779"),
        postal_prefixes=("600", "602"),
        weight=26,
    ),
    LocationSpec(
        slug="front-range-medical",
        name="Front Range Medical Center",
        address_line1="4400 E Mountain View Boulevard",
        city="Aurora",
        state="CO",
        postal_code="80011",
        phone="+17205550140",
        time_zone="America/Denver",
        hours={**{d: ("07:30", "18:00") for d in range(5)}, 5: ("09:00", "13:00")},
        territory="Front Range",
        area_codes=("303", "720", "970", "719"),
        postal_prefixes=("800", "801", "802"),
        weight=24,
    ),
]

# When a person's home area codes are used up, phones come from these (555 exchange).
_NATIONAL_AREA_CODES_TEXT = """
201 202 203 205 206 207 208 209 210 212 213 214 215 216 217 218 219 220 225 228
229 231 234 239 240 248 251 252 253 254 256 260 262 267 269 270 272 276 281 301
302 304 305 307 308 309 310 313 314 315 316 317 318 319 320 321 323 325 330 334
336 337 339 341 346 347 351 352 360 361 364 380 385 386 401 402 404 405 406
407 408 409 410 412 413 414 415 417 419 423 424 425 430 432 434 435 440 442 443
458 463 469 470 475 478 479 480 484 501 502 503 504 505 507 508 509 510 512 513
515 516 517 518 520 530 531 534 539 540 541 551 559 561 562 563 567 570 571 573
574 575 580 585 586 601 602 603 605 606 607 608 609 610 612 614 615 616 617 618
"""
NATIONAL_AREA_CODES = tuple(_NATIONAL_AREA_CODES_TEXT.split())


@dataclass(frozen=True)
class StaffSpec:
    username: str
    first_name: str
    last_name: str
    role: str  # a Role value
    title: str
    languages: tuple[str, ...] = ("en",)
    is_on_shift: bool = True
    on_leave: bool = False
    max_open_leads: int = 15


STAFF = [
    StaffSpec("admin", "Alex", "Morgan", "admin", "Systems administrator"),
    StaffSpec("manager", "Priya", "Shah", "manager", "Director of patient access"),
    StaffSpec("dkowalski", "Dana", "Kowalski", "manager", "Intake manager, Front Range"),
    StaffSpec(
        "privacy", "Morgan", "Ellis", "privacy officer", "Privacy officer", is_on_shift=False
    ),
    StaffSpec("liaison", "Marcus", "Reed", "liaison", "Physician liaison"),
    StaffSpec("lsantos", "Lucia", "Santos", "liaison", "Physician liaison", ("en", "es")),
    StaffSpec("jbennett", "Jordan", "Bennett", "liaison", "Physician liaison"),
    StaffSpec("coordinator", "Emily", "Carter", "intake coordinator", "Intake coordinator"),
    StaffSpec(
        "mgonzalez",
        "Maria",
        "Gonzalez",
        "intake coordinator",
        "Senior intake coordinator",
        ("en", "es"),
        max_open_leads=20,
    ),
    StaffSpec(
        "jnguyen",
        "James",
        "Nguyen",
        "intake coordinator",
        "Senior intake coordinator",
        ("en", "vi"),
        max_open_leads=20,
    ),
    StaffSpec("aortiz", "Ana", "Ortiz", "intake coordinator", "Intake coordinator", ("en", "es")),
    StaffSpec("kpatel", "Kavya", "Patel", "intake coordinator", "Intake coordinator"),
    StaffSpec(
        "tbrooks", "Tyler", "Brooks", "intake coordinator", "Intake coordinator", is_on_shift=False
    ),
    StaffSpec(
        "rjohnson",
        "Rachel",
        "Johnson",
        "intake coordinator",
        "Intake coordinator",
        is_on_shift=False,
        on_leave=True,
    ),
    StaffSpec(
        "dramirez",
        "Diego",
        "Ramirez",
        "intake coordinator",
        "Senior intake coordinator",
        ("en", "es"),
        max_open_leads=20,
    ),
    StaffSpec("swilliams", "Sarah", "Williams", "intake coordinator", "Intake coordinator"),
    StaffSpec(
        "nkim",
        "Nina",
        "Kim",
        "intake coordinator",
        "Behavioral health access specialist",
        ("en", "ko"),
    ),
    StaffSpec("bwalsh", "Brian", "Walsh", "intake coordinator", "Central intake lead"),
]

# The liaison who owns each territory's referral sources.
TERRITORY_LIAISONS = {
    "Chicago North": "liaison",
    "Chicago South": "lsantos",
    "Front Range": "jbennett",
}


@dataclass(frozen=True)
class TeamSpec:
    slug: str
    name: str
    team_lead: str
    members: tuple[str, ...]
    service_lines: tuple[str, ...]
    locations: tuple[str, ...]
    is_fallback: bool = False


_CHICAGO = ("riverside-general", "northshore-outpatient")
_ALL_LINES = tuple(spec.slug for spec in SERVICE_LINES)

TEAMS = [
    TeamSpec(
        "surgical-intake",
        "Surgical Services Intake",
        "jnguyen",
        ("jnguyen", "coordinator", "kpatel", "tbrooks"),
        ("orthopedics", "bariatrics", "oncology"),
        _CHICAGO,
    ),
    TeamSpec(
        "heart-imaging-intake",
        "Heart & Imaging Intake",
        "mgonzalez",
        ("mgonzalez", "kpatel", "rjohnson"),
        ("cardiology", "imaging"),
        _CHICAGO,
    ),
    TeamSpec(
        "womens-primary-intake",
        "Women's Health & Primary Care Intake",
        "aortiz",
        ("aortiz", "coordinator", "rjohnson"),
        ("womens-health", "primary-care"),
        _CHICAGO,
    ),
    TeamSpec(
        "behavioral-health-access",
        "Behavioral Health Access",
        "nkim",
        ("nkim", "aortiz"),
        ("behavioral-health",),
        (*_CHICAGO, "front-range-medical"),
    ),
    TeamSpec(
        "front-range-intake",
        "Front Range Intake",
        "dramirez",
        ("dramirez", "swilliams"),
        tuple(s for s in _ALL_LINES if s != "behavioral-health"),
        ("front-range-medical",),
    ),
    TeamSpec(
        "central-intake",
        "Central Intake (fallback)",
        "bwalsh",
        ("bwalsh", "coordinator", "mgonzalez"),
        _ALL_LINES,
        (*_CHICAGO, "front-range-medical"),
        is_fallback=True,
    ),
]
