"""The access matrix: who may do what on every URL of LeadCRM.

One line per URL name and method; one expected answer per role, in ROLES order:
    coordinator  an intake coordinator on the team of the lead (tests/access/world.py)
    liaison      the physician liaison who owns the lead's referral source
    manager, admin, privacy (privacy officer)
    anonymous    nobody signed in
    deactivated  a coordinator of the same team whose account was switched off

Every id in a URL points at the world's objects (World.kwargs): the lead is in the
coordinator's and the liaison's scope. Answers: 200/201/204 done, 302 a redirect (LOGIN
for pages: the sign-in page), 400 refused input (an empty form or body), 401 no valid
credentials (API), 403 not for this role, 404 outside the role's scope (never 403 for an
object), 405 method not allowed. Adding a URL means adding its line here.

Besides the answers, tests/access/test_access_matrix.py checks that no response to a role
without patient access (PATIENT_ROLES) contains the world patient's name, phone, email
or message, and FIELDS the exact top-level fields each role gets from the API.
"""

from typing import NamedTuple

ROLES = ("coordinator", "liaison", "manager", "admin", "privacy", "anonymous", "deactivated")
# Roles that may see who a patient is (their scope decides which patients).
PATIENT_ROLES = {"coordinator", "manager", "admin"}
LOGIN = 302


class Row(NamedTuple):
    name: str
    method: str
    coordinator: int
    liaison: int
    manager: int
    admin: int
    privacy: int
    anonymous: int
    deactivated: int


# fmt: off
ROWS = [
    # name                           method    coord  liais    mgr  admin   priv   anon  deact
    Row("intake",                         "POST",    401,   401,   401,   401,   401,   401,   401),
    Row("api-lead-list",                  "GET",     200,   200,   200,   200,   200,   401,   401),
    Row("api-lead-detail",                "GET",     200,   200,   200,   200,   404,   401,   401),
    Row("api-lead-detail",                "PATCH",   400,   403,   400,   400,   404,   401,   401),
    Row("api-lead-stage-change",          "POST",    400,   403,   400,   400,   404,   401,   401),
    Row("api-lead-assign",                "POST",    400,   403,   400,   400,   404,   401,   401),
    Row("api-lead-activities",            "GET",     200,   403,   200,   200,   404,   401,   401),
    Row("api-lead-activities",            "POST",    400,   403,   400,   400,   404,   401,   401),
    Row("api-person-list",                "GET",     200,   403,   200,   200,   200,   401,   401),
    Row("api-person-detail",              "GET",     200,   403,   200,   200,   404,   401,   401),
    Row("api-referral-source-list",       "GET",     200,   200,   200,   200,   200,   401,   401),
    Row("api-referral-source-list",       "POST",    403,   400,   400,   400,   403,   401,   401),
    Row("api-referral-source-detail",     "GET",     200,   200,   200,   200,   200,   401,   401),
    Row("api-referral-source-detail",     "PATCH",   403,   200,   200,   200,   403,   401,   401),
    Row("api-service-line-list",          "GET",     200,   200,   200,   200,   200,   401,   401),
    Row("api-service-line-detail",        "GET",     200,   200,   200,   200,   200,   401,   401),
    Row("api-location-list",              "GET",     200,   200,   200,   200,   200,   401,   401),
    Row("api-location-detail",            "GET",     200,   200,   200,   200,   200,   401,   401),
    Row("api-stage-list",                 "GET",     200,   200,   200,   200,   200,   401,   401),
    Row("api-stage-detail",               "GET",     200,   200,   200,   200,   200,   401,   401),
    Row("api-team-list",                  "GET",     200,   200,   200,   200,   200,   401,   401),
    Row("api-team-detail",                "GET",     200,   200,   200,   200,   200,   401,   401),
    Row("home",                           "GET",     302,   200,   200,   200,   200, LOGIN, LOGIN),
    Row("home",                           "POST",    302,   200,   200,   200,   200, LOGIN, LOGIN),
    Row("healthz",                        "GET",     200,   200,   200,   200,   200,   200,   200),
    Row("healthz",                        "POST",    200,   200,   200,   200,   200,   200,   200),
    Row("readyz",                         "GET",     200,   200,   200,   200,   200,   200,   200),
    Row("readyz",                         "POST",    200,   200,   200,   200,   200,   200,   200),
    Row("login",                          "GET",     200,   200,   200,   200,   200,   200,   200),
    Row("login",                          "POST",    200,   200,   200,   200,   200,   200,   200),
    Row("logout",                         "GET",     405,   405,   405,   405,   405,   405,   405),
    Row("logout",                         "POST",    302,   302,   302,   302,   302,   302,   302),
    Row("routing:rule_list",              "GET",     403,   403,   200,   200,   403, LOGIN, LOGIN),
    Row("routing:rule_list",              "POST",    403,   403,   200,   200,   403, LOGIN, LOGIN),
    Row("routing:rule_create",            "GET",     403,   403,   200,   200,   403, LOGIN, LOGIN),
    Row("routing:rule_create",            "POST",    403,   403,   200,   200,   403, LOGIN, LOGIN),
    Row("routing:rule_edit",              "GET",     403,   403,   404,   404,   403, LOGIN, LOGIN),
    Row("routing:rule_edit",              "POST",    403,   403,   404,   404,   403, LOGIN, LOGIN),
    Row("routing:rule_move",              "GET",     403,   403,   405,   405,   403, LOGIN, LOGIN),
    Row("routing:rule_move",              "POST",    403,   403,   404,   404,   403, LOGIN, LOGIN),
    Row("routing:rule_toggle",            "GET",     403,   403,   405,   405,   403, LOGIN, LOGIN),
    Row("routing:rule_toggle",            "POST",    403,   403,   404,   404,   403, LOGIN, LOGIN),
    Row("routing:dry_run",                "GET",     403,   403,   200,   200,   403, LOGIN, LOGIN),
    Row("routing:dry_run",                "POST",    403,   403,   200,   200,   403, LOGIN, LOGIN),
    Row("routing:lead",                   "GET",     403,   403,   200,   200,   403, LOGIN, LOGIN),
    Row("routing:lead",                   "POST",    403,   403,   200,   200,   403, LOGIN, LOGIN),
    Row("routing:lead_reroute",           "GET",     403,   403,   405,   405,   403, LOGIN, LOGIN),
    Row("routing:lead_reroute",           "POST",    403,   403,   400,   400,   403, LOGIN, LOGIN),
    Row("routing:lead_reassign",          "GET",     403,   403,   405,   405,   403, LOGIN, LOGIN),
    Row("routing:lead_reassign",          "POST",    403,   403,   400,   400,   403, LOGIN, LOGIN),
    Row("routing:shift_toggle",           "GET",     405,   405,   405,   405,   405, LOGIN, LOGIN),
    Row("routing:shift_toggle",           "POST",    302,   302,   302,   302,   302, LOGIN, LOGIN),
    Row("routing:member_list",            "GET",     403,   403,   200,   200,   403, LOGIN, LOGIN),
    Row("routing:member_list",            "POST",    403,   403,   200,   200,   403, LOGIN, LOGIN),
    Row("routing:member_edit",            "GET",     403,   403,   200,   200,   403, LOGIN, LOGIN),
    Row("routing:member_edit",            "POST",    403,   403,   200,   200,   403, LOGIN, LOGIN),
    Row("alerts:list",                    "GET",     200,   200,   200,   200,   200, LOGIN, LOGIN),
    Row("alerts:badge",                   "GET",     200,   200,   200,   200,   200, LOGIN, LOGIN),
    Row("alerts:read_all",                "GET",     405,   405,   405,   405,   405, LOGIN, LOGIN),
    Row("alerts:read_all",                "POST",    302,   302,   302,   302,   302, LOGIN, LOGIN),
    Row("alerts:read",                    "GET",     405,   405,   405,   405,   405, LOGIN, LOGIN),
    Row("alerts:read",                    "POST",    302,   302,   302,   302,   302, LOGIN, LOGIN),
    Row("sla:policy_list",                "GET",     403,   403,   200,   200,   403, LOGIN, LOGIN),
    Row("sla:policy_list",                "POST",    403,   403,   200,   200,   403, LOGIN, LOGIN),
    Row("sla:policy_create",              "GET",     403,   403,   200,   200,   403, LOGIN, LOGIN),
    Row("sla:policy_create",              "POST",    403,   403,   200,   200,   403, LOGIN, LOGIN),
    Row("sla:policy_edit",                "GET",     403,   403,   404,   404,   403, LOGIN, LOGIN),
    Row("sla:policy_edit",                "POST",    403,   403,   404,   404,   403, LOGIN, LOGIN),
    Row("referrals:directory",            "GET",     403,   200,   200,   200,   403, LOGIN, LOGIN),
    Row("referrals:directory",            "POST",    403,   200,   200,   200,   403, LOGIN, LOGIN),
    Row("referrals:plan",                 "GET",     403,   200,   200,   200,   403, LOGIN, LOGIN),
    Row("referrals:plan",                 "POST",    403,   200,   200,   200,   403, LOGIN, LOGIN),
    Row("referrals:import",               "GET",     403,   200,   200,   200,   403, LOGIN, LOGIN),
    Row("referrals:import",               "POST",    403,   200,   200,   200,   403, LOGIN, LOGIN),
    Row("referrals:health_classify",      "GET",     403,   405,   405,   405,   403, LOGIN, LOGIN),
    Row("referrals:health_classify",      "POST",    403,   302,   302,   302,   403, LOGIN, LOGIN),
    Row("referrals:visit_new",            "GET",     403,   200,   200,   200,   403, LOGIN, LOGIN),
    Row("referrals:visit_new",            "POST",    403,   200,   200,   200,   403, LOGIN, LOGIN),
    Row("referrals:follow_up_done",       "GET",     403,   405,   405,   405,   403, LOGIN, LOGIN),
    Row("referrals:follow_up_done",       "POST",    403,   404,   404,   404,   403, LOGIN, LOGIN),
    Row("referrals:lead_referral",        "GET",     200,   200,   200,   200,   404, LOGIN, LOGIN),
    Row("referrals:lead_referral",        "POST",    200,   200,   200,   200,   404, LOGIN, LOGIN),
    Row("referrals:profile",              "GET",     403,   200,   200,   200,   403, LOGIN, LOGIN),
    Row("referrals:profile",              "POST",    403,   200,   200,   200,   403, LOGIN, LOGIN),
    Row("referrals:source_edit",          "GET",     403,   200,   200,   200,   403, LOGIN, LOGIN),
    Row("referrals:source_edit",          "POST",    403,   200,   200,   200,   403, LOGIN, LOGIN),
    Row("dashboards:index",               "GET",     403,   403,   200,   200,   403, LOGIN, LOGIN),
    Row("dashboards:leads",               "GET",     403,   403,   200,   200,   403, LOGIN, LOGIN),
    Row("dashboards:panel",               "GET",     403,   403,   200,   200,   403, LOGIN, LOGIN),
    Row("dashboards:export",              "GET",     403,   403,   200,   200,   403, LOGIN, LOGIN),
    Row("nurture:track_list",             "GET",     403,   403,   200,   200,   403, LOGIN, LOGIN),
    Row("nurture:track_list",             "POST",    403,   403,   200,   200,   403, LOGIN, LOGIN),
    Row("nurture:track_create",           "GET",     403,   403,   200,   200,   403, LOGIN, LOGIN),
    Row("nurture:track_create",           "POST",    403,   403,   400,   400,   403, LOGIN, LOGIN),
    Row("nurture:track_edit",             "GET",     403,   403,   404,   404,   403, LOGIN, LOGIN),
    Row("nurture:track_edit",             "POST",    403,   403,   404,   404,   403, LOGIN, LOGIN),
    Row("nurture:track_toggle",           "GET",     403,   403,   405,   405,   403, LOGIN, LOGIN),
    Row("nurture:track_toggle",           "POST",    403,   403,   404,   404,   403, LOGIN, LOGIN),
    Row("nurture:step_row",               "GET",     403,   403,   400,   400,   403, LOGIN, LOGIN),
    Row("nurture:step_row",               "POST",    403,   403,   400,   400,   403, LOGIN, LOGIN),
    Row("nurture:failed_sends",           "GET",     403,   403,   200,   200,   403, LOGIN, LOGIN),
    Row("nurture:failed_sends",           "POST",    403,   403,   200,   200,   403, LOGIN, LOGIN),
    Row("nurture:send_retry",             "GET",     403,   403,   405,   405,   403, LOGIN, LOGIN),
    Row("nurture:send_retry",             "POST",    403,   403,   404,   404,   403, LOGIN, LOGIN),
    Row("nurture:lead",                   "GET",     200,   404,   200,   200,   404, LOGIN, LOGIN),
    Row("nurture:lead",                   "POST",    200,   404,   200,   200,   404, LOGIN, LOGIN),
    Row("nurture:lead_enroll",            "GET",     405,   405,   405,   405,   405, LOGIN, LOGIN),
    Row("nurture:lead_enroll",            "POST",    400,   404,   400,   400,   404, LOGIN, LOGIN),
    Row("nurture:enrollment_stop",        "GET",     405,   405,   405,   405,   405, LOGIN, LOGIN),
    Row("nurture:enrollment_stop",        "POST",    404,   404,   404,   404,   404, LOGIN, LOGIN),
    Row("nurture:unsubscribe",            "GET",     400,   400,   400,   400,   400,   400,   400),
    Row("nurture:unsubscribe",            "POST",    400,   400,   400,   400,   400,   400,   400),
    Row("nurture:sms_inbound",            "GET",     405,   405,   405,   405,   405,   405,   405),
    Row("nurture:sms_inbound",            "POST",    403,   403,   403,   403,   403,   403,   403),
    Row("privacy:patient_access",         "GET",     403,   403,   403,   403,   200, LOGIN, LOGIN),
    Row("privacy:patient_access",         "POST",    403,   403,   403,   403,   200, LOGIN, LOGIN),
    Row("privacy:user_access",            "GET",     403,   403,   403,   403,   200, LOGIN, LOGIN),
    Row("privacy:unusual_patterns",       "GET",     403,   403,   403,   403,   200, LOGIN, LOGIN),
    Row("privacy:emergency_review_list",  "GET",     403,   403,   403,   403,   200, LOGIN, LOGIN),
    Row("privacy:emergency_review",       "GET",     403,   403,   403,   403,   405, LOGIN, LOGIN),
    Row("privacy:emergency_review",       "POST",    403,   403,   403,   403,   404, LOGIN, LOGIN),
    Row("queue:index",                    "GET",     200,   200,   200,   200,   200, LOGIN, LOGIN),
    Row("queue:index",                    "POST",    302,   302,   302,   302,   302, LOGIN, LOGIN),
    Row("queue:lead",                     "GET",     200,   404,   200,   200,   404, LOGIN, LOGIN),
    Row("queue:lead_call",                "GET",     405,   405,   405,   405,   405, LOGIN, LOGIN),
    Row("queue:lead_call",                "POST",    200,   404,   200,   200,   404, LOGIN, LOGIN),
    Row("queue:lead_message",             "GET",     405,   405,   405,   405,   405, LOGIN, LOGIN),
    Row("queue:lead_message",             "POST",    200,   404,   200,   200,   404, LOGIN, LOGIN),
    Row("queue:lead_note",                "GET",     405,   405,   405,   405,   405, LOGIN, LOGIN),
    Row("queue:lead_note",                "POST",    200,   404,   200,   200,   404, LOGIN, LOGIN),
    Row("queue:lead_task",                "GET",     405,   405,   405,   405,   405, LOGIN, LOGIN),
    Row("queue:lead_task",                "POST",    200,   404,   200,   200,   404, LOGIN, LOGIN),
    Row("queue:lead_task_done",           "GET",     405,   405,   405,   405,   405, LOGIN, LOGIN),
    Row("queue:lead_task_done",           "POST",    302,   404,   302,   302,   404, LOGIN, LOGIN),
    Row("queue:lead_activity_strike",     "GET",     405,   405,   405,   405,   405, LOGIN, LOGIN),
    Row("queue:lead_activity_strike",     "POST",    302,   404,   302,   302,   404, LOGIN, LOGIN),
    Row("queue:lead_emergency_access",    "GET",     200,   403,   200,   200,   403, LOGIN, LOGIN),
    Row("queue:lead_emergency_access",    "POST",    400,   403,   400,   400,   403, LOGIN, LOGIN),
    Row("queue:lead_claim",               "GET",     405,   405,   405,   405,   405, LOGIN, LOGIN),
    Row("queue:lead_claim",               "POST",    302,   404,   302,   302,   404, LOGIN, LOGIN),
    Row("queue:lead_reassign",            "GET",     403,   403,   405,   405,   403, LOGIN, LOGIN),
    Row("queue:lead_reassign",            "POST",    403,   403,   200,   200,   403, LOGIN, LOGIN),
    Row("queue:lead_stage",               "GET",     405,   405,   405,   405,   405, LOGIN, LOGIN),
    Row("queue:lead_stage",               "POST",    200,   404,   200,   200,   404, LOGIN, LOGIN),
    Row("queue:lead_merge",               "GET",     200,   404,   200,   200,   404, LOGIN, LOGIN),
    Row("queue:lead_merge",               "POST",    200,   404,   200,   200,   404, LOGIN, LOGIN),
    Row("queue:lead_merge_undo",          "GET",     405,   405,   405,   405,   405, LOGIN, LOGIN),
    Row("queue:lead_merge_undo",          "POST",    302,   404,   302,   302,   404, LOGIN, LOGIN),
    Row("schema",                         "GET",     200,   200,   200,   200,   200,   200,   200),
    Row("api-docs",                       "GET",     200,   200,   200,   200,   200,   200,   200),
    # Sign-in and the user's own account (issue 13)
    Row("password_reset",                 "GET",     200,   200,   200,   200,   200,   200,   200),
    Row("password_reset",                 "POST",    200,   200,   200,   200,   200,   200,   200),
    Row("password_reset_done",            "GET",     200,   200,   200,   200,   200,   200,   200),
    Row("password_reset_confirm",         "GET",     200,   200,   200,   200,   200,   200,   200),
    Row("password_reset_confirm",         "POST",    200,   200,   200,   200,   200,   200,   200),
    Row("password_reset_complete",        "GET",     200,   200,   200,   200,   200,   200,   200),
    Row("accounts:account",               "GET",     200,   200,   200,   200,   200, LOGIN, LOGIN),
    Row("accounts:account",               "POST",    200,   200,   200,   200,   200, LOGIN, LOGIN),
    Row("accounts:password_change",       "GET",     405,   405,   405,   405,   405, LOGIN, LOGIN),
    Row("accounts:password_change",       "POST",    400,   400,   400,   400,   400, LOGIN, LOGIN),
    Row("accounts:sign_out_everywhere",   "GET",     405,   405,   405,   405,   405, LOGIN, LOGIN),
    Row("accounts:sign_out_everywhere",   "POST",    302,   302,   302,   302,   302, LOGIN, LOGIN),
    Row("accounts:api_token_create",      "GET",     405,   405,   405,   405,   405, LOGIN, LOGIN),
    Row("accounts:api_token_create",      "POST",    200,   200,   200,   200,   200, LOGIN, LOGIN),
    Row("accounts:api_token_revoke",      "GET",     405,   405,   405,   405,   405, LOGIN, LOGIN),
    Row("accounts:api_token_revoke",      "POST",    302,   302,   302,   302,   302, LOGIN, LOGIN),
    Row("accounts:session_status",        "GET",     200,   200,   200,   200,   200, LOGIN, LOGIN),
    Row("accounts:session_stay",          "GET",     405,   405,   405,   405,   405, LOGIN, LOGIN),
    Row("accounts:session_stay",          "POST",    200,   200,   200,   200,   200, LOGIN, LOGIN),
    Row("favicon",                        "GET",     301,   301,   301,   301,   301,   301,   301),
    Row("favicon",                        "POST",    301,   301,   301,   301,   301,   301,   301),
]
# fmt: on

# URLs with a lead id that answer without looking the lead up: break-the-glass asks for a
# reason for any id, so that the form itself tells nobody whether the lead exists.
ANY_LEAD_ID = {"queue:lead_emergency_access"}

# The top-level fields each role gets from an API read (for a list: each row), when the
# answer is 200. A role not named gets no row of this kind (it is refused or sees none).
REFERRAL_LEAD = {
    "id", "lead_type", "channel", "service_line", "stage", "stage_entered_at",
    "referral_source_id", "referral_source_at_appointment_id", "created_at",
    "first_response_at", "scheduled_at", "appointment_at", "days_to_appointment",
    "converted_at", "closed_at", "lost_reason", "referral_feedback_sent_at",
}  # fmt: skip
LEAD_ROW = {
    "id", "person", "lead_type", "channel", "service_line", "location", "urgency", "stage",
    "stage_entered_at", "owner", "team", "referral_source_id", "score", "created_at",
    "first_response_at", "sla_due_at", "closed_at",
}  # fmt: skip
LEAD_DETAIL = LEAD_ROW - {"referral_source_id"} | {
    "caregiver", "referral_source", "payer", "condition_interest", "message",
    "qualification_answers", "attribution", "is_open", "updated_at", "routed_at",
    "time_to_first_response_seconds", "scheduled_at", "appointment_at",
    "appointment_location", "converted_at", "recontact_on", "lost_reason", "lost_reason_note",
}  # fmt: skip
PATIENT_STAFF = {"coordinator", "manager", "admin"}
FIELDS = {
    ("api-lead-list", "GET"): {**dict.fromkeys(PATIENT_STAFF, LEAD_ROW), "liaison": REFERRAL_LEAD},
    ("api-lead-detail", "GET"): {
        **dict.fromkeys(PATIENT_STAFF, LEAD_DETAIL),
        "liaison": REFERRAL_LEAD,
    },
}
