"""Words the demo leads are made of: payers, inquiry messages, campaigns, consent wording,
notes. Plain text with no tab, newline or backslash, so rows go to COPY unescaped."""

from apps.demo.seeding.catalog import BRAND

PAYERS = (
    ("Blue Cross Blue Shield", 22),
    ("UnitedHealthcare", 14),
    ("Aetna", 10),
    ("Cigna", 8),
    ("Humana", 5),
    ("Medicare", 16),
    ("Medicaid", 11),
    ("Tricare", 2),
    ("Self-pay", 4),
    ("", 8),  # not asked or not known yet
)

INQUIRY_MESSAGES = (
    "I would like to schedule a consultation about {c}.",
    "My doctor suggested I get evaluated for {c}. What are the next steps?",
    "Do you take {p}? I am looking into {c}.",
    "Please call me back about {c}. Mornings are best.",
    "Looking for an appointment for {c}, ideally after 4 pm.",
    "Can someone explain the costs for {c} with {p}?",
    "I was referred for {c} and have my records ready.",
    "How soon can I be seen for {c}?",
    "Asking for my mother: she needs help with {c}.",
    "",  # the form's message box is optional
)

INQUIRY_MESSAGES_ES = (
    "Quisiera una cita para {c}. Prefiero hablar en espanol.",
    "Mi doctor me recomendo una consulta por {c}. Pueden llamarme?",
    "Aceptan {p}? Necesito informacion sobre {c}.",
)

# (utm_source, utm_medium, weight) for leads that came through the website or chat.
UTM_SOURCES = (
    ("google", "cpc", 30),
    ("google", "organic", 22),
    ("facebook", "paid-social", 14),
    ("bing", "cpc", 4),
    ("newsletter", "email", 8),
    ("healthgrades", "referral", 5),
    ("", "", 17),  # typed the address or came back directly
)
UTM_TERMS = ("near me", "best", "appointment", "specialist", "cost", "")
UTM_CONTENTS = ("hero-button", "sidebar-form", "video-ad", "carousel", "")
LANDING_PAGES = ("services", "request-appointment", "find-a-doctor", "locations", "events")

CAPTURED_VIA = {
    "web_form": "Website inquiry form",
    "chat": "Website live chat",
    "phone": "Call center (call tracking)",
    "email": "Intake mailbox",
    "referral": "E-referral inbox",
    "event": "Community event sign-up",
    "walk_in": "Front desk",
}

CONSENT_WORDING_FORM = (
    f"By submitting this form I agree that {BRAND} may contact me by phone, text message "
    "or email about my inquiry. Message and data rates may apply. Reply STOP to opt out."
)
CONSENT_WORDING_FORM_MARKETING = (
    f"Yes, I would also like news about classes, events and services from {BRAND}. "
    "I can unsubscribe at any time."
)
CONSENT_WORDING_CHAT = (
    f"{BRAND} may follow up on this chat by phone, text or email about my question."
)
CONSENT_WORDING_PHONE = (
    "Script read on the call: May we call or text you at this number about your inquiry? "
    "The caller said yes."
)
CONSENT_WORDING_EMAIL = (
    "Wrote to the intake mailbox and asked to be answered by email about the inquiry."
)
CONSENT_WORDING_IN_PERSON = (
    "Signed at the front desk: I agree to be contacted about my appointment request."
)

CALL_NOTES_REACHED = (
    "Spoke with the patient; reviewed insurance and availability.",
    "Reached the caller; gathered history and preferred times.",
    "Talked through next steps and what to bring to the visit.",
    "Patient asked about parking and directions; sent details.",
    "Confirmed the referral details and the preferred campus.",
)
CALL_NOTES_MISSED = (
    "No answer; left a short callback message.",
    "Voicemail full; will try again this afternoon.",
    "Left a voicemail with the intake line number.",
    "",
)
NOTES = (
    "Patient prefers text messages during work hours.",
    "Insurance card photo received; benefits check requested.",
    "Daughter helps with scheduling; both names on file.",
    "Needs imaging records from the outside hospital before the visit.",
    "Interpreter requested for the appointment.",
    "Prefers the Evanston campus for parking.",
    "Asked for an evening or Saturday slot.",
)
EMAIL_BODIES = (
    "Sent the new-patient packet and the intake line hours.",
    "Emailed the seminar dates and the registration link.",
    "Sent directions and the pre-visit checklist.",
)
SMS_BODIES = (
    "Texted a callback request with the intake line number.",
    "Sent a text with available appointment times.",
)
ACK_EMAIL_BODY = "Automatic acknowledgement: we received your inquiry and will call you soon."
TASK_BODIES = (
    "Call back after the benefits check.",
    "Follow up on the outside records.",
    "Second call attempt, try early evening.",
    "Confirm the appointment time with the patient.",
)
LOST_REASON_NOTES = {
    "out_of_network": ("Plan is out of network; gave the self-pay estimate.",),
    "declined_by_patient": ("Decided to wait until after the holidays.", "Not interested now."),
    "chose_another_provider": ("Chose a provider closer to home.", "Went with their plan's HMO."),
    "no_response": ("No answer after several attempts over two weeks.",),
    "not_a_candidate": ("Does not meet the clinical criteria yet.",),
    "service_not_offered": ("Needs a pediatric subspecialist we do not offer.",),
    "duplicate": ("Same inquiry as an existing open lead.",),
    "other": ("Moved out of state.",),
}

PRACTICES = (
    # (name, specialty, territory)
    ("Lakeshore Family Medicine", "Family Medicine", "Chicago North"),
    ("North Park Internal Medicine", "Internal Medicine", "Chicago North"),
    ("Evanston Women's Care", "Obstetrics & Gynecology", "Chicago North"),
    ("Prairie Orthopedic Associates", "Orthopedic Surgery", "Chicago South"),
    ("Heartland Cardiology Group", "Cardiology", "Chicago South"),
    ("South Loop Primary Care", "Family Medicine", "Chicago South"),
    ("Pilsen Community Physicians", "Internal Medicine", "Chicago South"),
    ("Mile High Family Physicians", "Family Medicine", "Front Range"),
    ("Rocky Mountain Spine & Sports", "Sports Medicine", "Front Range"),
    ("Aurora Oncology Partners", "Oncology", "Front Range"),
)
INDEPENDENT_SPECIALTIES = (
    "Psychiatry",
    "Pediatrics",
    "General Surgery",
    "Endocrinology",
    "Physical Medicine",
    "Family Medicine",
    "Internal Medicine",
)
CREDENTIALS = ("MD", "MD", "MD", "DO", "NP", "PA-C")
CASE_MANAGER_ORGS = (
    "Blue Cross Blue Shield of Illinois",
    "Cook County Health Plan",
    "Humana Medicare",
    "Colorado Access",
    "UnitedHealthcare Community Plan",
)
DISCHARGE_PLANNER_ORGS = (
    "St. Anne's Skilled Nursing",
    "Mercy Rehabilitation Hospital",
    "Lakeside Home Health",
    "Aurora Transitional Care",
    "Northshore Senior Living",
)
EMPLOYERS = (
    ("Midwest Freight Logistics", "Chicago South"),
    ("City of Evanston", "Chicago North"),
    ("Front Range Manufacturing", "Front Range"),
    ("Lakeshore Public Schools", "Chicago North"),
    ("Prairie State Bank", "Chicago South"),
)
COMMUNITY_PARTNERS = (
    ("Southside YMCA", "Chicago South"),
    ("Northshore Senior Center", "Chicago North"),
    ("Aurora Community Health Fair", "Front Range"),
    ("Chicago Parks Wellness Program", "Chicago South"),
    ("Iglesia San Marcos Health Ministry", "Chicago South"),
)
ORGANIZATIONS = (
    ("Illinois Physicians ACO", "Chicago North"),
    ("Cook County Care Network", "Chicago South"),
    ("Front Range Independent Physicians", "Front Range"),
)
