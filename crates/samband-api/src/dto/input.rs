//! What the API takes: one type per request body, parsed strictly (unknown fields
//! refused) and documented from the same definition. Each turns into the use case's
//! input by naming every field (no `..`), so a field added on either side without the
//! other fails to compile instead of slipping out of the document.

use super::choices::*;
use super::text::*;
use samband_domain::ids::*;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

// ---- auth and directory ---------------------------------------------------------------

/// Sign in for a bearer token.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    #[schema(max_length = 1024)]
    pub username: String,
    #[schema(max_length = 1024)]
    pub password: String,
    /// The current two-step verification code (or a recovery code), if the account
    /// has one (ignored otherwise).
    pub code: Option<String>,
    /// What the token is for ("EHR sync"), to recognise it in `GET /me/tokens`.
    #[schema(value_type = TokenName)]
    pub name: String,
    #[serde(default = "default_scopes")]
    #[schema(value_type = Scopes, default = "read write")]
    pub scopes: String,
    /// How many days the token lasts (the bounds are the deployment's: see `spec`).
    #[schema(minimum = 1)]
    pub days: Option<i64>,
}

fn default_scopes() -> String {
    "read write".into()
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationRequest {
    #[schema(value_type = Short)]
    pub name: String,
    #[schema(value_type = Sector)]
    pub sector: String,
    /// Absent, null or blank: not stated.
    #[serde(default)]
    #[schema(value_type = Option<Country>)]
    pub country: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfessionalRequest {
    #[schema(value_type = Short)]
    pub name: String,
    #[schema(value_type = Short)]
    pub title: String,
    #[schema(min_items = 1)]
    pub organisation_ids: Vec<Uuid>,
    #[schema(value_type = Option<Phone>)]
    pub phone: Option<String>,
    #[schema(value_type = Option<Email>)]
    pub email: Option<String>,
    #[schema(value_type = Option<LongOptional>)]
    pub availability: Option<String>,
}

impl ProfessionalRequest {
    pub fn organisation_ids(&self) -> Vec<OrganisationId> {
        self.organisation_ids
            .iter()
            .copied()
            .map(OrganisationId)
            .collect()
    }
}

/// A new account (administrators).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountRequest {
    #[schema(value_type = Username)]
    pub username: String,
    #[schema(value_type = NewPassword)]
    pub password: String,
    #[schema(value_type = Role)]
    pub role: String,
    #[schema(value_type = Short)]
    pub display_name: String,
    /// Required for a professional's account: whose it is.
    pub professional_id: Option<Uuid>,
    /// Required for a patient's or a proxy's account: whose record it opens.
    pub patient_id: Option<Uuid>,
    /// A professional who reviews emergency access in their organisation.
    #[serde(default)]
    pub privacy_officer: bool,
    /// A proxy authorised (e.g. by a signed power of attorney) to change consent.
    #[serde(default)]
    pub proxy_may_consent: bool,
}

impl From<AccountRequest> for samband_app::directory::AccountInput {
    fn from(r: AccountRequest) -> Self {
        let AccountRequest {
            username,
            password,
            role,
            display_name,
            professional_id,
            patient_id,
            privacy_officer,
            proxy_may_consent,
        } = r;
        Self {
            username,
            password: password.into(),
            role,
            display_name,
            professional_id: professional_id.map(ProfessionalId),
            patient_id: patient_id.map(PatientId),
            privacy_officer,
            proxy_may_consent,
        }
    }
}

// ---- patients, team, plan -----------------------------------------------------------------

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterPatient {
    #[schema(value_type = Short)]
    pub name: String,
    #[schema(value_type = BirthDate)]
    pub birth_date: String,
    #[schema(value_type = Option<Country>)]
    pub national_id_country: Option<String>,
    /// Norwegian fødselsnummer or D-number (11 digits, check digits verified) or
    /// Danish CPR number (DDMMYY-SSSS); requires `national_id_country`.
    #[schema(max_length = 32)]
    pub national_id: Option<String>,
    #[schema(value_type = Contact)]
    pub preferred_contact: String,
    #[schema(value_type = Option<Phone>)]
    pub phone: Option<String>,
    #[schema(value_type = Option<Email>)]
    pub email: Option<String>,
    /// The registering professional's role and responsibility on the new team.
    #[schema(value_type = Short)]
    pub my_role: String,
    #[schema(value_type = Long)]
    pub my_responsibility: String,
}

/// A team member, added or replaced whole (`If-Match`: the team's version).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberRequest {
    /// Why the change was made (kept in the history of an update).
    #[serde(default)]
    #[schema(value_type = Option<LongOptional>)]
    pub reason: Option<String>,
    #[schema(value_type = MemberKind)]
    pub kind: String,
    /// For a professional member: who.
    pub professional_id: Option<Uuid>,
    /// For a proxy: their name.
    #[schema(value_type = Option<ShortOptional>)]
    pub name: Option<String>,
    pub organisation_id: Option<Uuid>,
    #[schema(value_type = Short)]
    pub role: String,
    #[schema(value_type = Long)]
    pub responsibility: String,
    #[schema(value_type = Option<Phone>)]
    pub phone: Option<String>,
    /// Making a member coordinator moves the role from the current one.
    #[serde(default)]
    pub is_coordinator: bool,
    #[schema(value_type = PlanningDate)]
    pub active_from: String,
    #[schema(value_type = Option<PlanningDate>)]
    pub active_to: Option<String>,
}

impl From<MemberRequest> for samband_domain::team::MemberInput {
    fn from(r: MemberRequest) -> Self {
        let MemberRequest {
            reason,
            kind,
            professional_id,
            name,
            organisation_id,
            role,
            responsibility,
            phone,
            is_coordinator,
            active_from,
            active_to,
        } = r;
        Self {
            reason,
            kind,
            professional_id: professional_id.map(ProfessionalId),
            name,
            organisation_id: organisation_id.map(OrganisationId),
            role,
            responsibility,
            phone,
            is_coordinator,
            active_from,
            active_to,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanHeaderRequest {
    /// Absent, null or blank clears it.
    #[schema(value_type = Option<PlanningDate>)]
    pub revision_date: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    /// Why the change was made (kept in the history of an update).
    #[serde(default)]
    #[schema(value_type = Option<LongOptional>)]
    pub reason: Option<String>,
    #[schema(value_type = Short)]
    pub title: String,
    /// An active member of the patient's team (for a patient's own action: absent).
    pub owner_member_id: Option<Uuid>,
    /// Defaults to the owner's organisation's sector.
    #[schema(value_type = Option<Sector>)]
    pub sector: Option<String>,
    #[schema(value_type = PlanningDate)]
    pub due_date: String,
    /// `planned` when not given.
    #[schema(value_type = Option<ActionStatus>)]
    pub status: Option<String>,
    /// A goal of the same plan.
    pub goal_id: Option<Uuid>,
}

impl From<ActionRequest> for samband_domain::plan::ActionInput {
    fn from(r: ActionRequest) -> Self {
        let ActionRequest {
            reason,
            title,
            owner_member_id,
            sector,
            due_date,
            status,
            goal_id,
        } = r;
        Self {
            reason,
            title,
            owner_member_id: owner_member_id.map(MemberId),
            sector,
            due_date,
            status,
            goal_id: goal_id.map(GoalId),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalRequest {
    /// Why the change was made (kept in the history of an update).
    #[serde(default)]
    #[schema(value_type = Option<LongOptional>)]
    pub reason: Option<String>,
    #[schema(value_type = Long)]
    pub text: String,
    /// A patient's own goals are always `patient`.
    #[schema(value_type = Option<GoalAuthor>)]
    pub author: Option<String>,
    /// For a professional goal: the active team member who owns it.
    pub owner_member_id: Option<Uuid>,
    #[serde(default)]
    pub achieved: bool,
}

impl From<GoalRequest> for samband_domain::plan::GoalInput {
    fn from(r: GoalRequest) -> Self {
        let GoalRequest {
            reason,
            text,
            author,
            owner_member_id,
            achieved,
        } = r;
        Self {
            reason,
            text,
            author,
            owner_member_id: owner_member_id.map(MemberId),
            achieved,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceRequest {
    /// Why the change was made (kept in the history of an update).
    #[serde(default)]
    #[schema(value_type = Option<LongOptional>)]
    pub reason: Option<String>,
    #[schema(value_type = Short)]
    pub what: String,
    #[schema(value_type = Short)]
    pub provider: String,
    #[schema(value_type = Short)]
    pub frequency: String,
}

impl From<ServiceRequest> for samband_domain::plan::ServiceInput {
    fn from(r: ServiceRequest) -> Self {
        let ServiceRequest {
            reason,
            what,
            provider,
            frequency,
        } = r;
        Self {
            reason,
            what,
            provider,
            frequency,
        }
    }
}

/// The crisis plan's sections; an absent section is left as it is. Patients may
/// change only `what_helps`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CrisisPlanRequest {
    /// Why the change was made (kept in the history of an update).
    #[serde(default)]
    #[schema(value_type = Option<LongOptional>)]
    pub reason: Option<String>,
    #[schema(value_type = Option<LongOptional>)]
    pub warning_signs: Option<String>,
    #[schema(value_type = Option<LongOptional>)]
    pub what_helps: Option<String>,
    #[schema(value_type = Option<LongOptional>)]
    pub contacts: Option<String>,
}

impl From<CrisisPlanRequest> for samband_domain::plan::CrisisPlanInput {
    fn from(r: CrisisPlanRequest) -> Self {
        let CrisisPlanRequest {
            reason,
            warning_signs,
            what_helps,
            contacts,
        } = r;
        Self {
            reason,
            warning_signs,
            what_helps,
            contacts,
        }
    }
}

// ---- consent and emergency access -----------------------------------------------------------

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleRequest {
    #[schema(value_type = RecipientKind)]
    pub recipient_kind: String,
    /// An organisation id, or a sector name.
    #[schema(max_length = 64)]
    pub recipient: String,
    #[schema(value_type = Category)]
    pub category: String,
    pub permit: bool,
    #[schema(value_type = Option<PlanningDate>)]
    pub valid_from: Option<String>,
    #[schema(value_type = Option<PlanningDate>)]
    pub valid_to: Option<String>,
    #[schema(value_type = Option<Purpose>)]
    pub purpose: Option<String>,
}

impl From<RuleRequest> for samband_domain::consent::RuleInput {
    fn from(r: RuleRequest) -> Self {
        let RuleRequest {
            recipient_kind,
            recipient,
            category,
            permit,
            valid_from,
            valid_to,
            purpose,
        } = r;
        Self {
            recipient_kind,
            recipient,
            category,
            permit,
            valid_from,
            valid_to,
            purpose,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentRequest {
    #[schema(max_items = 500)]
    pub rules: Vec<RuleRequest>,
    /// Required when a professional records a consent given on paper
    /// (re-authentication); ignored otherwise.
    pub password: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmergencyRequest {
    #[schema(value_type = EmergencyReason)]
    pub reason_code: String,
    #[schema(value_type = EmergencyReasonText)]
    pub reason_text: String,
    /// The caller's own password (re-authentication).
    pub password: String,
}

// ---- messages, requests, notifications ------------------------------------------------------

/// A file sent with a message, base64-encoded.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Upload {
    #[schema(value_type = Short)]
    pub file_name: String,
    /// PDF, PNG, JPEG or plain text (recognised by content), at most the configured size.
    #[schema(value_type = Base64File)]
    pub content_base64: String,
}

impl From<Upload> for samband_app::messaging::UploadJson {
    fn from(u: Upload) -> Self {
        let Upload {
            file_name,
            content_base64,
        } = u;
        Self {
            file_name,
            content_base64,
        }
    }
}

fn uploads(v: Vec<Upload>) -> Vec<samband_app::messaging::UploadJson> {
    v.into_iter().map(Into::into).collect()
}

/// A new thread.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComposeRequest {
    #[schema(value_type = Short)]
    pub subject: String,
    #[schema(value_type = Body)]
    pub body: String,
    /// What the thread is about, for consent (`plan_and_actions` when not given).
    #[serde(default)]
    #[schema(value_type = Option<Category>)]
    pub category: Option<String>,
    /// `team`, `patient`, `role:NAME` or `member:ID`; a patient leaves it empty to
    /// reach the whole team.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub to: Vec<String>,
    #[serde(default)]
    pub needs_ack: bool,
    #[serde(default)]
    pub urgent: bool,
    #[serde(default)]
    #[schema(max_items = 10)]
    pub attachments: Vec<Upload>,
}

impl From<ComposeRequest> for samband_app::messaging::ComposeJson {
    fn from(r: ComposeRequest) -> Self {
        let ComposeRequest {
            subject,
            body,
            category,
            to,
            needs_ack,
            urgent,
            attachments,
        } = r;
        Self {
            subject,
            body,
            category,
            to,
            needs_ack,
            urgent,
            attachments: uploads(attachments),
        }
    }
}

/// A reply to everyone in the thread.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyRequest {
    #[schema(value_type = Body)]
    pub body: String,
    #[serde(default)]
    pub needs_ack: bool,
    #[serde(default)]
    pub urgent: bool,
    #[serde(default)]
    #[schema(max_items = 10)]
    pub attachments: Vec<Upload>,
}

impl From<ReplyRequest> for samband_app::messaging::ReplyJson {
    fn from(r: ReplyRequest) -> Self {
        let ReplyRequest {
            body,
            needs_ack,
            urgent,
            attachments,
        } = r;
        Self {
            body,
            needs_ack,
            urgent,
            attachments: uploads(attachments),
        }
    }
}

/// A status report, advice request or task: it becomes a care-plan action owned by
/// the addressee.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestRequest {
    #[schema(value_type = RequestKind)]
    pub kind: String,
    /// An active member of the patient's team.
    pub addressee_member_id: Option<Uuid>,
    #[schema(value_type = Short)]
    pub subject: String,
    /// Context for the addressee: why the request is made.
    #[serde(default)]
    #[schema(value_type = BodyOptional)]
    pub body: String,
    /// A status report asks at least one.
    #[serde(default)]
    #[schema(max_items = 20, value_type = Vec<LongOptional>)]
    pub questions: Vec<String>,
    /// Blank or absent: five working days from today.
    #[serde(default)]
    #[schema(value_type = Option<PlanningDate>)]
    pub due_date: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<Category>)]
    pub category: Option<String>,
}

impl From<RequestRequest> for samband_domain::message::RequestInput {
    fn from(r: RequestRequest) -> Self {
        let RequestRequest {
            kind,
            addressee_member_id,
            subject,
            body,
            questions,
            due_date,
            category,
        } = r;
        Self {
            kind,
            addressee_member_id: addressee_member_id.map(MemberId),
            subject,
            body,
            questions,
            due_date,
            category,
        }
    }
}

/// One answer per question (the addressee).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    #[serde(default)]
    #[schema(max_items = 20, value_type = Vec<Long>)]
    pub answers: Vec<String>,
    /// Required when nothing was asked.
    #[serde(default)]
    #[schema(value_type = Option<BodyOptional>)]
    pub note: Option<String>,
}

impl From<AnswerRequest> for samband_app::requests::AnswerInput {
    fn from(r: AnswerRequest) -> Self {
        let AnswerRequest { answers, note } = r;
        Self { answers, note }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclineRequest {
    #[schema(value_type = Long)]
    pub reason: String,
}

impl From<DeclineRequest> for samband_app::requests::DeclineInput {
    fn from(r: DeclineRequest) -> Self {
        let DeclineRequest { reason } = r;
        Self { reason }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrefsRequest {
    /// Where notifications are e-mailed; blank: the directory's address.
    #[serde(default)]
    #[schema(value_type = Option<Email>)]
    pub email: Option<String>,
    #[schema(value_type = EmailMode)]
    pub mode: String,
}

impl From<PrefsRequest> for samband_app::notify::PrefsInput {
    fn from(r: PrefsRequest) -> Self {
        let PrefsRequest { email, mode } = r;
        Self { email, mode }
    }
}

// ---- meetings -------------------------------------------------------------------------------

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingRequest {
    #[schema(value_type = MeetingKind)]
    pub kind: String,
    #[schema(value_type = MeetingMode)]
    pub mode: String,
    #[schema(value_type = Short)]
    pub title: String,
    #[schema(value_type = LocalDateTime)]
    pub starts_at: String,
    #[schema(minimum = 15, maximum = 480)]
    pub duration_minutes: i64,
    /// Required for a digital or hybrid meeting.
    #[serde(default)]
    #[schema(value_type = Option<VideoLink>)]
    pub video_link: Option<String>,
    /// Required for a meeting in person or hybrid.
    #[serde(default)]
    #[schema(value_type = Option<ShortOptional>)]
    pub place: Option<String>,
    #[schema(value_type = PreReadPolicy)]
    pub pre_read_policy: String,
    /// For `days_before`.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 30)]
    pub pre_read_days: Option<i64>,
    #[serde(default)]
    #[schema(value_type = Option<PlanningDate>)]
    pub follow_up_date: Option<String>,
}

impl From<MeetingRequest> for samband_domain::meeting::MeetingInput {
    fn from(r: MeetingRequest) -> Self {
        let MeetingRequest {
            kind,
            mode,
            title,
            starts_at,
            duration_minutes,
            video_link,
            place,
            pre_read_policy,
            pre_read_days,
            follow_up_date,
        } = r;
        Self {
            kind,
            mode,
            title,
            starts_at,
            duration_minutes,
            video_link,
            place,
            pre_read_policy,
            pre_read_days,
            follow_up_date,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GuestRequest {
    #[schema(value_type = Short)]
    pub name: String,
    #[serde(default)]
    #[schema(value_type = Option<ShortOptional>)]
    pub organisation: Option<String>,
    #[schema(value_type = Email)]
    pub email: String,
}

/// Invite one: a team member, the patient, or an external guest.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    #[serde(default)]
    pub member_id: Option<Uuid>,
    #[serde(default)]
    pub patient: bool,
    #[serde(default)]
    pub guest: Option<GuestRequest>,
}

impl From<InviteRequest> for samband_app::meetings::InviteInput {
    fn from(r: InviteRequest) -> Self {
        let InviteRequest {
            member_id,
            patient,
            guest,
        } = r;
        Self {
            member_id: member_id.map(MemberId),
            patient,
            guest: guest.map(|g| {
                let GuestRequest {
                    name,
                    organisation,
                    email,
                } = g;
                samband_domain::meeting::GuestInput {
                    name,
                    organisation,
                    email,
                }
            }),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationReply {
    #[schema(value_type = InvitationAnswer)]
    pub reply: String,
}

/// What I want to raise at the meeting (blank: nothing).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RaiseRequest {
    #[schema(value_type = LongOptional)]
    pub raise: String,
}

/// The patient's wish to change an agenda item.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WishRequest {
    #[schema(value_type = Long)]
    pub wish: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgendaItemRequest {
    #[schema(value_type = Short)]
    pub title: String,
    #[schema(value_type = LocalTime)]
    pub start: String,
    #[schema(minimum = 1, maximum = 480)]
    pub duration_minutes: i64,
    /// An invited participant.
    pub responsible: Uuid,
    /// Invited participants who need to be there.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub participants: Vec<Uuid>,
    #[serde(default)]
    pub patient_present: bool,
}

impl From<AgendaItemRequest> for samband_domain::meeting::AgendaItemInput {
    fn from(r: AgendaItemRequest) -> Self {
        let AgendaItemRequest {
            title,
            start,
            duration_minutes,
            responsible,
            participants,
            patient_present,
        } = r;
        Self {
            title,
            start,
            duration_minutes,
            responsible: Some(ParticipantId(responsible)),
            participants: participants.into_iter().map(ParticipantId).collect(),
            patient_present,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MinutesRequest {
    #[schema(value_type = Minutes)]
    pub minutes: String,
    /// What the minutes are about (default: the item's category).
    #[serde(default)]
    #[schema(value_type = Option<Category>)]
    pub minutes_category: Option<String>,
}

/// A decision: it becomes a care-plan action.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    #[schema(value_type = Long)]
    pub text: String,
    /// An active member of the patient's team.
    pub owner_member_id: Option<Uuid>,
    #[schema(value_type = PlanningDate)]
    pub due_date: String,
    #[serde(default)]
    pub goal_id: Option<Uuid>,
}

impl From<DecisionRequest> for samband_domain::meeting::DecisionInput {
    fn from(r: DecisionRequest) -> Self {
        let DecisionRequest {
            text,
            owner_member_id,
            due_date,
            goal_id,
        } = r;
        Self {
            text,
            owner_member_id: owner_member_id.map(MemberId),
            due_date,
            goal_id: goal_id.map(GoalId),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreReadRequest {
    #[schema(value_type = PreReadKind)]
    pub kind: String,
    #[schema(value_type = Short)]
    pub title: String,
    #[schema(value_type = Body)]
    pub body: String,
    /// With the patient's consent, decides who may read it (default: pre-reads).
    #[serde(default)]
    #[schema(value_type = Option<Category>)]
    pub category: Option<String>,
}

impl From<PreReadRequest> for samband_app::meetings::PreReadInput {
    fn from(r: PreReadRequest) -> Self {
        let PreReadRequest {
            kind,
            title,
            body,
            category,
        } = r;
        Self {
            kind,
            title,
            body,
            category,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SummaryRequest {
    /// Plain language, for the patient.
    #[schema(value_type = Long)]
    pub summary: String,
    /// Also plan the next meeting on the follow-up date.
    #[serde(default)]
    pub plan_next: bool,
}

impl From<SummaryRequest> for samband_app::meetings::SummaryInput {
    fn from(r: SummaryRequest) -> Self {
        let SummaryRequest { summary, plan_next } = r;
        Self { summary, plan_next }
    }
}
