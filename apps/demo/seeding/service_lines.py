"""The demo hospital's eight service lines: response targets, qualification questions,
what people ask about, who refers to them, and how urgent their inquiries tend to be."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ServiceLineSpec:
    slug: str
    name: str
    description: str
    urgent_minutes: int
    soon_minutes: int
    routine_minutes: int
    # (question text, answer kind); answers are what a qualified lead records.
    questions: tuple[tuple[str, str], ...]
    conditions: tuple[str, ...]
    # Referring specialties that send patients to this line.
    specialties: tuple[str, ...]
    age_range: tuple[int, int]
    weight: int
    urgency_weights: tuple[int, int, int]  # routine, soon, urgent
    female_only: bool = False
    campaigns: tuple[str, ...] = field(default=())


SERVICE_LINES = [
    ServiceLineSpec(
        "orthopedics",
        "Orthopedics",
        "Joint replacement, spine, sports medicine and hand surgery.",
        15,
        60,
        240,
        (
            ("Has a physician recommended surgery or a specialist visit?", "yes_no"),
            ("Which joint or body area is affected?", "text"),
            ("Has the pain lasted more than six weeks?", "yes_no"),
        ),
        (
            "Knee pain",
            "Hip replacement consult",
            "Shoulder injury",
            "Low back pain",
            "Sports injury",
            "Carpal tunnel",
            "Ankle sprain follow-up",
        ),
        ("Orthopedic Surgery", "Sports Medicine", "Family Medicine", "Physical Medicine"),
        (25, 88),
        16,
        (78, 18, 4),
        campaigns=("joint-pain-seminar", "knee-replacement-2025", "sports-med-clinic"),
    ),
    ServiceLineSpec(
        "cardiology",
        "Cardiology",
        "Heart rhythm, heart failure, prevention and cardiac rehabilitation.",
        10,
        60,
        180,
        (
            ("Do you have a referral or a recent EKG or echo?", "yes_no"),
            ("Current symptoms: none, mild or moderate?", "text"),
        ),
        (
            "Chest pain follow-up",
            "Atrial fibrillation",
            "Heart failure",
            "High blood pressure",
            "Cardiac rehab",
            "Heart murmur evaluation",
        ),
        ("Cardiology", "Internal Medicine", "Family Medicine"),
        (40, 90),
        12,
        (60, 28, 12),
        campaigns=("heart-month", "afib-awareness", "heart-screening"),
    ),
    ServiceLineSpec(
        "oncology",
        "Oncology",
        "Cancer care: second opinions, infusion, radiation and survivorship.",
        10,
        45,
        120,
        (
            ("Has a biopsy confirmed a diagnosis?", "yes_no"),
            ("Which cancer type?", "text"),
            ("Is the person in treatment elsewhere?", "yes_no"),
        ),
        (
            "Breast cancer second opinion",
            "Lung nodule",
            "Prostate cancer",
            "Abnormal colonoscopy",
            "Lymphoma",
            "Skin cancer",
        ),
        ("Oncology", "Internal Medicine", "General Surgery", "Family Medicine"),
        (30, 88),
        9,
        (45, 40, 15),
        campaigns=("second-opinion", "lung-screening"),
    ),
    ServiceLineSpec(
        "imaging",
        "Imaging",
        "MRI, CT, mammography, ultrasound and bone density.",
        15,
        60,
        240,
        (
            ("Do you have an order from your physician?", "yes_no"),
            ("Which exam: MRI, CT, mammogram or ultrasound?", "text"),
        ),
        ("MRI", "CT scan", "Screening mammogram", "Ultrasound", "DEXA bone density", "PET scan"),
        ("Family Medicine", "Internal Medicine", "Orthopedic Surgery", "Obstetrics & Gynecology"),
        (18, 90),
        14,
        (80, 17, 3),
        campaigns=("mammogram-reminder", "same-week-mri"),
    ),
    ServiceLineSpec(
        "behavioral-health",
        "Behavioral Health",
        "Therapy, psychiatry and substance-use programs for adults and teens.",
        10,
        60,
        120,
        (
            ("Is the person safe right now?", "yes_no"),
            ("Looking for therapy, psychiatry or both?", "text"),
        ),
        (
            "Anxiety",
            "Depression",
            "Substance use",
            "ADHD evaluation",
            "Postpartum depression",
            "Grief counseling",
        ),
        ("Psychiatry", "Family Medicine", "Pediatrics", "Internal Medicine"),
        (14, 75),
        10,
        (62, 26, 12),
        campaigns=("mental-health-matters",),
    ),
    ServiceLineSpec(
        "womens-health",
        "Women's Health",
        "Obstetrics, gynecology, menopause care and pelvic health.",
        15,
        60,
        240,
        (
            ("Is the patient currently pregnant?", "yes_no"),
            ("Reason for the visit", "text"),
        ),
        (
            "Prenatal care",
            "Annual well-woman exam",
            "Menopause",
            "Fertility consult",
            "Pelvic floor therapy",
            "Mammogram",
        ),
        ("Obstetrics & Gynecology", "Family Medicine"),
        (18, 72),
        12,
        (76, 20, 4),
        female_only=True,
        campaigns=("new-moms-tour", "menopause-clinic", "well-woman"),
    ),
    ServiceLineSpec(
        "bariatrics",
        "Bariatrics",
        "Surgical and medical weight loss, with information seminars.",
        15,
        120,
        480,
        (
            ("Is the BMI 35 or higher?", "yes_no"),
            ("Does the insurance cover weight-loss surgery?", "yes_no"),
            ("Has the person attended an information seminar?", "yes_no"),
        ),
        (
            "Gastric sleeve",
            "Gastric bypass",
            "Medical weight loss",
            "Revision surgery",
            "Seminar registration",
        ),
        ("General Surgery", "Family Medicine", "Internal Medicine", "Endocrinology"),
        (21, 68),
        9,
        (88, 11, 1),
        campaigns=("weight-loss-seminar", "bariatric-webinar"),
    ),
    ServiceLineSpec(
        "primary-care",
        "Primary Care",
        "New patients, annual physicals, chronic care and Medicare wellness visits.",
        30,
        120,
        480,
        (
            ("Looking for a new primary care physician?", "yes_no"),
            ("Preferred campus or neighborhood", "text"),
        ),
        (
            "New patient visit",
            "Annual physical",
            "Diabetes management",
            "Medicare wellness visit",
            "Sick visit",
            "Vaccinations",
        ),
        ("Family Medicine", "Internal Medicine", "Pediatrics"),
        (0, 92),
        18,
        (82, 15, 3),
        campaigns=("find-a-doctor", "medicare-wellness", "flu-shots"),
    ),
]
