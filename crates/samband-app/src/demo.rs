//! Demo data: the organisations, professionals and patients of the five stories in
//! PRODUCT.md (all invented). Patients, teams and plans are created through the same
//! use cases the UI uses, so history and audit are as real as in production.

use crate::directory::AccountInput;
use crate::{App, AppError, Ctx};
use chrono::Duration;
use samband_domain::ids::*;
use samband_domain::organisation::{Organisation, Sector};
use samband_domain::patient::PatientInput;
use samband_domain::plan::{ActionInput, CrisisPlanInput, GoalInput, ServiceInput};
use samband_domain::principal::{Principal, Scopes, Subject};
use samband_domain::professional::Professional;
use samband_domain::team::MemberInput;
use std::collections::HashMap;

/// Every demo account uses this password (printed by `samband demo`).
pub const DEMO_PASSWORD: &str = "samband-demo-2026";

#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub username: String,
    pub display_name: String,
    pub what: String,
}

pub struct DemoData {
    pub logins: Vec<DemoLogin>,
    pub patients: HashMap<&'static str, PatientId>,
    pub professionals: HashMap<&'static str, ProfessionalId>,
}

/// (key, organisation name, sector)
const ORGS: &[(&str, &str, Sector)] = &[
    (
        "pain",
        "Smerteklinikken, Fjordby sykehus",
        Sector::Specialist,
    ),
    (
        "onc",
        "Kreftavdelingen, Fjordby sykehus",
        Sector::Specialist,
    ),
    (
        "dps",
        "Fjordby DPS, psykiatrisk poliklinikk",
        Sector::Specialist,
    ),
    ("gp", "Fjordby legesenter", Sector::Primary),
    ("nav", "NAV Fjordby", Sector::SocialSecurity),
    (
        "home",
        "Fjordby kommune, hjemmesykepleien",
        Sector::Municipal,
    ),
    (
        "mh",
        "Fjordby kommune, psykisk helse og rus",
        Sector::Municipal,
    ),
    ("er", "Akuttmottaket, Fjordby sykehus", Sector::Specialist),
    ("dk_psy", "Psykiatrisk Afdeling, Aarhus", Sector::Specialist),
    ("dk_gp", "Lægehuset Søndergade", Sector::Primary),
    ("dk_job", "Jobcenter Aarhus", Sector::SocialSecurity),
];

/// (username, name, title, organisation key, phone, availability)
const PROS: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "ingrid.berg",
        "Ingrid Berg",
        "Physician, pain clinic",
        "pain",
        "+47 55 10 20 30",
        "Mon–Fri 08–15",
    ),
    (
        "kari.dahl",
        "Kari Dahl",
        "Physiotherapist, pain clinic",
        "pain",
        "+47 55 10 20 31",
        "Mon–Thu 08–15",
    ),
    (
        "per.hansen",
        "Per Hansen",
        "General practitioner",
        "gp",
        "+47 55 40 50 60",
        "Weekdays 08–16; e-consults answered within 2 days",
    ),
    (
        "silje.nilsen",
        "Silje Nilsen",
        "NAV supervisor",
        "nav",
        "+47 55 55 33 00",
        "Tue and Thu",
    ),
    (
        "ole.strand",
        "Ole Strand",
        "NAV supervisor",
        "nav",
        "+47 55 55 33 01",
        "Mon–Wed",
    ),
    (
        "maria.lund",
        "Maria Lund",
        "Oncologist",
        "onc",
        "+47 55 10 40 00",
        "Mon–Fri 08–15",
    ),
    (
        "anne.moe",
        "Anne Moe",
        "Cancer nurse, municipal contact person",
        "home",
        "+47 55 60 70 80",
        "Weekdays 08–15:30",
    ),
    (
        "tone.eriksen",
        "Tone Eriksen",
        "Mental-health coordinator",
        "mh",
        "+47 55 60 71 00",
        "Weekdays 08–15:30",
    ),
    (
        "ahmed.ali",
        "Ahmed Ali",
        "Nurse, home care night shift",
        "home",
        "+47 55 60 70 99",
        "Nights 22–07",
    ),
    (
        "eva.bakke",
        "Eva Bakke",
        "Psychiatrist",
        "dps",
        "+47 55 10 60 00",
        "Mon–Fri 08–15",
    ),
    (
        "knut.vik",
        "Knut Vik",
        "Emergency physician",
        "er",
        "+47 55 10 99 99",
        "Shifts",
    ),
    (
        "mette.holm",
        "Mette Holm",
        "Psychiatrist",
        "dk_psy",
        "+45 78 47 00 00",
        "Man–fre 08–15",
    ),
    (
        "lars.jensen",
        "Lars Jensen",
        "Psychiatric nurse",
        "dk_psy",
        "+45 78 47 00 01",
        "Man–fre 08–15",
    ),
    (
        "soren.nielsen",
        "Søren Nielsen",
        "General practitioner",
        "dk_gp",
        "+45 86 12 34 56",
        "Man–fre 08–16",
    ),
    (
        "camilla.poulsen",
        "Camilla Poulsen",
        "Care manager",
        "dk_gp",
        "+45 86 12 34 57",
        "Man–tors 08–15",
    ),
    (
        "jonas.kristensen",
        "Jonas Kristensen",
        "Jobcentre caseworker",
        "dk_job",
        "+45 89 40 22 00",
        "Man–fre 09–14",
    ),
];

fn ctx_for(account_id: AccountId, name: &str, subject: Subject) -> Ctx {
    Ctx {
        principal: Principal {
            account_id,
            display_name: name.into(),
            subject,
            scopes: Scopes::ALL,
            locale: None,
        },
        request_id: Some("demo-seed".into()),
    }
}

fn synthetic_fnr(day: u32, month: u32, yy: u32) -> Option<String> {
    let date = chrono::NaiveDate::from_ymd_opt(1900 + yy as i32, month, day)?;
    samband_domain::national_id::synthetic_fnr(date, day * 31 + month)
}

/// (story, coordinator username, name, birth date, country, national id, contact, phone,
/// coordinator role, responsibility)
type Story = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    String,
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static str,
);

impl App {
    /// Seeds the five stories into an empty database.
    pub async fn seed_demo(&self) -> Result<DemoData, AppError> {
        let mut logins = Vec::new();
        let mut orgs: HashMap<&str, Organisation> = HashMap::new();
        let mut pros: HashMap<&'static str, Professional> = HashMap::new();
        let mut ctxs: HashMap<&'static str, Ctx> = HashMap::new();

        let admin = self
            .directory()
            .create_account(
                None,
                &AccountInput {
                    username: "admin".into(),
                    password: DEMO_PASSWORD.into(),
                    role: "admin".into(),
                    display_name: "Samband administrator".into(),
                    ..Default::default()
                },
            )
            .await?;
        logins.push(DemoLogin {
            username: "admin".into(),
            display_name: admin.display_name.clone(),
            what: "administrator (no clinical access)".into(),
        });
        let admin_ctx = ctx_for(admin.id, "Samband administrator", Subject::Admin);

        for (key, name, sector) in ORGS {
            let country = if key.starts_with("dk_") { "DK" } else { "NO" };
            let o = self
                .directory()
                .create_organisation(&admin_ctx, name, sector.as_str(), Some(country))
                .await?;
            orgs.insert(key, o);
        }
        for (username, name, title, org, phone, avail) in PROS {
            let org_id = orgs
                .get(org)
                .map(|o| o.id)
                .ok_or_else(|| AppError::Internal("demo org".into()))?;
            let email = format!("{username}@demo.samband.example");
            let new = samband_domain::professional::NewProfessional::parse(
                name,
                title,
                vec![org_id],
                Some(phone),
                Some(&email),
                Some(avail),
            )?;
            let p = self
                .directory()
                .create_professional(&admin_ctx, new)
                .await?;
            let acc = self
                .directory()
                .create_account(
                    Some(&admin_ctx),
                    &AccountInput {
                        username: (*username).into(),
                        password: DEMO_PASSWORD.into(),
                        role: "professional".into(),
                        display_name: (*name).into(),
                        professional_id: Some(p.id),
                        ..Default::default()
                    },
                )
                .await?;
            logins.push(DemoLogin {
                username: (*username).into(),
                display_name: (*name).into(),
                what: format!("{title}, {}", orgs[org].name),
            });
            ctxs.insert(username, ctx_for(acc.id, name, Subject::Professional(p.id)));
            pros.insert(username, p);
        }

        let today = self.today();
        let d = |days: i64| {
            (today + Duration::days(days))
                .format("%Y-%m-%d")
                .to_string()
        };
        let mut patients = HashMap::new();

        // (key, coordinator username, name, birth date, country, national id, contact, phone, coordinator role, responsibility)
        let fnr_kari = synthetic_fnr(12, 3, 84).unwrap_or_default();
        let fnr_even = synthetic_fnr(5, 9, 88).unwrap_or_default();
        let stories: Vec<Story> = vec![
            (
                "000",
                "ingrid.berg",
                "Kari Nordmann",
                "1984-03-12",
                "NO",
                fnr_kari,
                "in_app",
                None,
                "Pain clinic physician",
                "Leads the assessment and the collaboration meeting",
            ),
            (
                "001",
                "anne.moe",
                "Arne Solberg",
                "1951-06-30",
                "NO",
                String::new(),
                "phone",
                Some("+47 900 00 101"),
                "Municipal contact person",
                "Coordinates care at home; first call for questions",
            ),
            (
                "002",
                "ingrid.berg",
                "Lise Haugen",
                "1976-11-02",
                "NO",
                String::new(),
                "in_app",
                None,
                "Pain clinic physician",
                "Chairs the collaboration meeting",
            ),
            (
                "003",
                "camilla.poulsen",
                "Mads Andersen",
                "1990-03-02",
                "DK",
                "0203904321".into(),
                "in_app",
                None,
                "Care manager",
                "Follows Mads for 12 months; PHQ-9 every second week",
            ),
            (
                "004",
                "tone.eriksen",
                "Even Lunde",
                "1988-09-05",
                "NO",
                fnr_even,
                "sms",
                Some("+47 900 00 104"),
                "Coordinator",
                "Keeps the plan current and convenes coordination meetings",
            ),
        ];
        for (key, coord, name, birth, country, nid, contact, phone, role, resp) in &stories {
            let ctx = &ctxs[coord];
            let pid = self
                .patients()
                .register(
                    ctx,
                    PatientInput {
                        name,
                        birth_date: birth,
                        national_id_country: Some(country),
                        national_id: Some(nid.as_str()).filter(|s| !s.is_empty()),
                        preferred_contact: contact,
                        phone: *phone,
                        email: None,
                    },
                    role,
                    resp,
                )
                .await?;
            patients.insert(*key, pid);
            let username = name.to_lowercase().replace(' ', ".");
            let acc = self
                .directory()
                .create_account(
                    Some(&admin_ctx),
                    &AccountInput {
                        username: username.clone(),
                        password: DEMO_PASSWORD.into(),
                        role: "patient".into(),
                        display_name: (*name).into(),
                        patient_id: Some(pid),
                        ..Default::default()
                    },
                )
                .await?;
            logins.push(DemoLogin {
                username,
                display_name: (*name).into(),
                what: format!("patient, story {key}"),
            });
            ctxs.insert(key, ctx_for(acc.id, name, Subject::Patient(pid)));
        }

        // Team members: (story, username, role, responsibility)
        let members: &[(&str, &str, &str, &str)] = &[
            (
                "000",
                "per.hansen",
                "GP",
                "Medical follow-up and sick leave; medication",
            ),
            (
                "000",
                "silje.nilsen",
                "NAV supervisor",
                "Work-capacity follow-up and activity plan",
            ),
            (
                "001",
                "maria.lund",
                "Oncologist",
                "Cancer treatment and the pathway's hospital milestones",
            ),
            (
                "001",
                "per.hansen",
                "GP",
                "Medication and symptom relief at home",
            ),
            (
                "002",
                "kari.dahl",
                "Physiotherapist",
                "Graded activity programme",
            ),
            ("002", "per.hansen", "GP", "Medication and sick leave"),
            (
                "003",
                "mette.holm",
                "Psychiatrist",
                "Treatment plan before discharge; medication advice",
            ),
            (
                "003",
                "lars.jensen",
                "Psychiatric nurse",
                "Discharge planning",
            ),
            (
                "003",
                "soren.nielsen",
                "GP",
                "Medication after discharge; medical follow-up",
            ),
            (
                "003",
                "jonas.kristensen",
                "Jobcentre caseworker",
                "Sickness benefit and return-to-work plan",
            ),
            ("004", "per.hansen", "GP", "Responsible for medication"),
            (
                "004",
                "eva.bakke",
                "Psychiatrist",
                "Specialist treatment and crisis admissions",
            ),
            (
                "004",
                "ahmed.ali",
                "Home care, night shift",
                "Night visits; opens the crisis plan when needed",
            ),
        ];
        for (story, username, role, resp) in members {
            let pid = patients[story];
            let coord_ctx = self.coordinator_ctx(&stories, story, &ctxs)?;
            let team = self.patients().overview(coord_ctx, pid).await?.team;
            let input = MemberInput {
                kind: "professional".into(),
                professional_id: Some(pros[username].id),
                role: (*role).into(),
                responsibility: (*resp).into(),
                active_from: d(-30),
                ..Default::default()
            };
            self.team()
                .save_member(coord_ctx, pid, None, &input, team.version, None)
                .await?;
        }
        // The patient is on their own team too, with their own part.
        for (story, resp) in [
            ("000", "Sets the goals; tells the team what matters"),
            ("003", "Fills in the PHQ-9 every second week"),
            (
                "004",
                "Knows the crisis plan; tells the team when things change",
            ),
        ] {
            let pid = patients[story];
            let coord_ctx = self.coordinator_ctx(&stories, story, &ctxs)?;
            let team = self.patients().overview(coord_ctx, pid).await?.team;
            let input = MemberInput {
                kind: "patient".into(),
                role: "Patient".into(),
                responsibility: resp.into(),
                active_from: d(-30),
                ..Default::default()
            };
            self.team()
                .save_member(coord_ctx, pid, None, &input, team.version, None)
                .await?;
        }

        // Goals, actions, services, crisis plans.
        let goal = |text: &str| GoalInput {
            text: text.into(),
            ..Default::default()
        };
        let g000 = self
            .plan()
            .add_goal(
                &ctxs["000"],
                patients["000"],
                &goal("Have the energy to be with my children after school"),
            )
            .await?;
        let ov = self
            .patients()
            .overview(&ctxs["ingrid.berg"], patients["000"])
            .await?;
        let member_of = |ov: &crate::views::PatientOverview, username: &str| {
            ov.members
                .iter()
                .find(|m| m.member.professional_id == Some(pros[username].id))
                .map(|m| m.member.id)
        };
        self.plan()
            .add_goal(
                &ctxs["ingrid.berg"],
                patients["000"],
                &GoalInput {
                    text: "Return to work at 50 % within six months".into(),
                    author: Some("professional".into()),
                    owner_member_id: member_of(&ov, "silje.nilsen"),
                    achieved: false,
                    reason: None,
                },
            )
            .await?;
        for (who, title, due) in [
            (
                "ingrid.berg",
                "Send assessment summary to GP and NAV before the meeting",
                3,
            ),
            (
                "per.hansen",
                "Adjust sleep medication and review in 4 weeks",
                28,
            ),
            (
                "silje.nilsen",
                "Set up an activity plan with graded work trial",
                21,
            ),
        ] {
            self.plan()
                .add_action(
                    &ctxs["ingrid.berg"],
                    patients["000"],
                    &ActionInput {
                        title: title.into(),
                        owner_member_id: member_of(&ov, who),
                        due_date: d(due),
                        goal_id: Some(g000.id),
                        ..Default::default()
                    },
                )
                .await?;
        }

        let ov = self
            .patients()
            .overview(&ctxs["anne.moe"], patients["001"])
            .await?;
        self.plan()
            .add_action(
                &ctxs["anne.moe"],
                patients["001"],
                &ActionInput {
                    title: "Mapping conversation: home situation and psychosocial needs".into(),
                    owner_member_id: ov.coordinator().map(|m| m.member.id),
                    due_date: d(7),
                    ..Default::default()
                },
            )
            .await?;
        self.plan()
            .add_service(
                &ctxs["anne.moe"],
                patients["001"],
                &ServiceInput {
                    what: "Home nursing: symptom follow-up and ESAS-r".into(),
                    provider: orgs["home"].name.clone(),
                    frequency: "Three times a week".into(),
                    reason: None,
                },
            )
            .await?;

        let ov = self
            .patients()
            .overview(&ctxs["camilla.poulsen"], patients["003"])
            .await?;
        self.plan()
            .add_goal(
                &ctxs["003"],
                patients["003"],
                &goal("Sleep through the night and see my friends again"),
            )
            .await?;
        for (who, title, due) in [
            ("mette.holm", "Planning meeting before discharge", 2),
            (
                "soren.nielsen",
                "Take over antidepressant prescribing after discharge",
                10,
            ),
            (
                "jonas.kristensen",
                "Agree a gradual return-to-work plan",
                30,
            ),
        ] {
            self.plan()
                .add_action(
                    &ctxs["camilla.poulsen"],
                    patients["003"],
                    &ActionInput {
                        title: title.into(),
                        owner_member_id: member_of(&ov, who),
                        due_date: d(due),
                        ..Default::default()
                    },
                )
                .await?;
        }

        let ov = self
            .patients()
            .overview(&ctxs["tone.eriksen"], patients["004"])
            .await?;
        self.plan()
            .add_action(
                &ctxs["tone.eriksen"],
                patients["004"],
                &ActionInput {
                    title: "Accompany Even to the social services office".into(),
                    owner_member_id: ov.coordinator().map(|m| m.member.id),
                    due_date: d(5),
                    ..Default::default()
                },
            )
            .await?;
        self.plan()
            .add_service(
                &ctxs["tone.eriksen"],
                patients["004"],
                &ServiceInput {
                    what: "Medication administered at home".into(),
                    provider: orgs["home"].name.clone(),
                    frequency: "Twice daily".into(),
                    reason: None,
                },
            )
            .await?;
        let cp = self
            .plan().update_crisis_plan(&ctxs["tone.eriksen"], patients["004"], &CrisisPlanInput {
                warning_signs: Some("Stops answering the phone; sleeps less than four hours; talks about the neighbours watching him".into()),
                what_helps: None,
                reason: None,
                contacts: Some("Daytime: Tone Eriksen +47 55 60 71 00. Night: home care night shift +47 55 60 70 99. Emergency: 113.".into()),
            }, 0, None)
            .await?;
        self.plan()
            .update_crisis_plan(
                &ctxs["004"],
                patients["004"],
                &CrisisPlanInput {
                    what_helps: Some("Talk calmly, sit down with me, let me call my sister".into()),
                    ..Default::default()
                },
                cp.version,
                None,
            )
            .await?;

        // Story 004: Even's sister is on his team and, by a power of attorney, his proxy.
        let even = patients["004"];
        let coord = self.coordinator_ctx(&stories, "004", &ctxs)?;
        let team = self.patients().overview(coord, even).await?.team;
        let sister = MemberInput {
            kind: "proxy".into(),
            name: Some("Sara Lunde".into()),
            role: "Sister, proxy".into(),
            responsibility:
                "Accompanies Even to appointments; may change his consent on his behalf".into(),
            phone: Some("+47 900 00 204".into()),
            active_from: d(-30),
            ..Default::default()
        };
        self.team()
            .save_member(coord, even, None, &sister, team.version, None)
            .await?;
        self.directory()
            .create_account(
                Some(&admin_ctx),
                &AccountInput {
                    username: "sara.lunde".into(),
                    password: DEMO_PASSWORD.into(),
                    role: "proxy".into(),
                    display_name: "Sara Lunde".into(),
                    patient_id: Some(even),
                    proxy_may_consent: true,
                    ..Default::default()
                },
            )
            .await?;
        logins.push(DemoLogin {
            username: "sara.lunde".into(),
            display_name: "Sara Lunde".into(),
            what: "proxy for Even Lunde (story 004), may change his consent".into(),
        });

        self.seed_demo_messages(&ctxs, &patients, &pros).await?;
        self.seed_demo_meeting(&ctxs, &patients, &pros).await?;
        self.seed_demo_pathways(&ctxs, &patients).await?;

        let professionals = pros.iter().map(|(k, p)| (*k, p.id)).collect();
        Ok(DemoData {
            logins,
            patients,
            professionals,
        })
    }

    /// Story 003's advice request (GP → psychiatrist, answered and acknowledged) and
    /// Mads writing to his team; story 004's reminder to Even. The jobcentre's status
    /// report is left for the user (and the browser test) to send: Mads has not yet
    /// let the jobcentre see work-capacity information.
    async fn seed_demo_messages(
        &self,
        ctxs: &HashMap<&'static str, Ctx>,
        patients: &HashMap<&'static str, PatientId>,
        pros: &HashMap<&'static str, samband_domain::professional::Professional>,
    ) -> Result<(), AppError> {
        use crate::messaging::ComposeInput;
        use crate::requests::{AnswerInput, Transition};
        let mads = patients["003"];
        let ov = self
            .patients()
            .overview(&ctxs["camilla.poulsen"], mads)
            .await?;
        let member = |username: &str| {
            ov.members
                .iter()
                .find(|m| m.member.professional_id == Some(pros[username].id))
                .map(|m| m.member.id)
        };
        let (_, rid) = self
            .requests()
            .create(
                &ctxs["soren.nielsen"],
                mads,
                &samband_domain::message::RequestInput {
                    kind: "advice_request".into(),
                    addressee_member_id: member("mette.holm"),
                    subject: "Sertraline after discharge".into(),
                    body: "I take over prescribing after discharge and would like your advice."
                        .into(),
                    questions: vec![
                        "Can I raise sertraline to 150 mg if PHQ-9 has not improved in 4 weeks?"
                            .into(),
                        "What should make me contact you before then?".into(),
                    ],
                    ..Default::default()
                },
            )
            .await?;
        let answered = self
            .requests()
            .transition(
                &ctxs["mette.holm"],
                rid,
                1,
                Transition::Answer(AnswerInput {
                    answers: vec![
                        "Yes, in steps of 50 mg; check for restlessness in the first week.".into(),
                        "Any thoughts of suicide (PHQ-9 item 9), or no sleep for several nights."
                            .into(),
                    ],
                    note: Some("Call me directly on the ward number if in doubt.".into()),
                }),
            )
            .await?;
        let thread = self
            .messages()
            .thread_view(&ctxs["soren.nielsen"], answered.thread_id)
            .await?;
        for m in thread.messages.iter().filter(|m| m.awaiting_my_ack) {
            self.messages()
                .acknowledge(&ctxs["soren.nielsen"], m.message.id)
                .await?;
        }
        let t = self
            .messages().start_thread(
                &ctxs["003"],
                mads,
                ComposeInput {
                    subject: "A better week".into(),
                    body: "I slept six hours three nights this week. Can we talk about going for walks with a friend?".into(),
                    ..Default::default()
                },
            )
            .await?;
        self.messages()
            .thread_view(&ctxs["camilla.poulsen"], t)
            .await?;
        self.messages().reply(
            &ctxs["camilla.poulsen"],
            t,
            crate::messaging::ReplyInput {
                body: "That is good news, Mads. Yes — let us put walks into the plan when we meet on Thursday.".into(),
                ..Default::default()
            },
        )
        .await?;
        self.messages().start_thread(
            &ctxs["tone.eriksen"],
            patients["004"],
            ComposeInput {
                subject: "Thursday at social services".into(),
                body: "Reminder: I will pick you up at 09:30 on Thursday for the meeting at social services.".into(),
                to: vec!["patient".into()],
                ..Default::default()
            },
        )
        .await?;
        Ok(())
    }

    /// Story 000: the pain clinic's collaboration meeting in two days, by video, with
    /// the assessment sent out in advance (three days before), the GP, the patient and
    /// a NAV supervisor who has never met her; an agenda with her out of one item; a
    /// follow-up four weeks later.
    async fn seed_demo_meeting(
        &self,
        ctxs: &HashMap<&'static str, Ctx>,
        patients: &HashMap<&'static str, PatientId>,
        pros: &HashMap<&'static str, samband_domain::professional::Professional>,
    ) -> Result<(), AppError> {
        use crate::meetings::{InviteInput, PreReadInput};
        use samband_domain::meeting::{AgendaItemInput, MeetingInput};
        let kari = patients["000"];
        let chair = &ctxs["ingrid.berg"];
        // Kari lets NAV see the meeting's pre-reads and her work capacity.
        let rules: Vec<samband_domain::consent::RuleInput> = ["meeting_pre_reads", "work_capacity"]
            .into_iter()
            .map(|c| samband_domain::consent::RuleInput {
                recipient_kind: "sector".into(),
                recipient: "social_security".into(),
                category: c.into(),
                permit: true,
                valid_from: None,
                valid_to: None,
                purpose: Some("work_rehabilitation".into()),
            })
            .collect();
        self.consent()
            .save(&ctxs["000"], kari, &rules, 0, None)
            .await?;
        let day = self.today() + Duration::days(2);
        let m = self
            .meetings()
            .create(
                chair,
                kari,
                &MeetingInput {
                    kind: "collaboration_after_assessment".into(),
                    mode: "digital".into(),
                    title: "Collaboration meeting after the assessment".into(),
                    starts_at: format!("{day}T09:00"),
                    duration_minutes: 60,
                    video_link: Some("https://video.example.org/samband/kari-nordmann".into()),
                    place: None,
                    pre_read_policy: "days_before".into(),
                    pre_read_days: Some(3),
                    follow_up_date: Some((day + Duration::days(28)).to_string()),
                },
            )
            .await?;
        let ov = self.patients().overview(chair, kari).await?;
        let member = |username: &str| {
            ov.members
                .iter()
                .find(|m| m.member.professional_id == Some(pros[username].id))
                .map(|m| m.member.id)
        };
        for input in [
            InviteInput {
                member_id: member("per.hansen"),
                ..Default::default()
            },
            InviteInput {
                member_id: member("silje.nilsen"),
                ..Default::default()
            },
            InviteInput {
                patient: true,
                ..Default::default()
            },
        ] {
            self.meetings().invite(chair, m.id, &input).await?;
        }
        for (kind, title, body) in [
            ("assessment", "Summary of the multidisciplinary assessment", "Kari has had fatigue and widespread pain for two years. Sleep is fragmented; activity varies from day to day (boom and bust). No signs of inflammatory disease. She wants to be able to be with her children after school and to return to work gradually."),
            ("suggested_actions", "Suggested actions for the common plan", "1. Graded activity with the physiotherapist. 2. Review of sleep medication by the GP in four weeks. 3. A work trial at 20 % planned with NAV. 4. Follow-up meeting in four weeks."),
        ] {
            self.meetings().add_pre_read(chair, m.id, &PreReadInput { kind: kind.into(), title: title.into(), body: body.into(), category: None })
                .await?;
        }
        let view = self.meetings().view(chair, m.id).await?;
        let who = |name: &str| {
            view.participants
                .iter()
                .find(|p| p.participant.name == name)
                .map(|p| p.participant.id)
        };
        let (ingrid, per, silje) = (who("Ingrid Berg"), who("Per Hansen"), who("Silje Nilsen"));
        for (title, start, minutes, responsible, people, present) in [
            (
                "Results of the assessment, and Kari's own view",
                "09:00",
                20,
                ingrid,
                vec![per, silje],
                true,
            ),
            (
                "Medication options (professionals)",
                "09:20",
                10,
                per,
                vec![ingrid],
                false,
            ),
            (
                "Work: what is realistic now",
                "09:30",
                15,
                silje,
                vec![ingrid, per],
                true,
            ),
            (
                "Common action plan: who does what",
                "09:45",
                15,
                ingrid,
                vec![per, silje],
                true,
            ),
        ] {
            self.meetings()
                .add_agenda_item(
                    chair,
                    m.id,
                    &AgendaItemInput {
                        title: title.into(),
                        start: start.into(),
                        duration_minutes: minutes,
                        responsible,
                        participants: people.into_iter().flatten().collect(),
                        patient_present: present,
                    },
                )
                .await?;
        }
        self.meetings().set_raise(
            &ctxs["silje.nilsen"],
            m.id,
            "I have not met Kari before. I would like to understand what a normal week looks like, so that the work trial fits it.",
        )
        .await?;
        self.meetings()
            .reply_to_invitation(&ctxs["per.hansen"], m.id, "accepted")
            .await?;
        Ok(())
    }

    fn coordinator_ctx<'a>(
        &self,
        stories: &[Story],
        story: &str,
        ctxs: &'a HashMap<&'static str, Ctx>,
    ) -> Result<&'a Ctx, AppError> {
        let coord = stories
            .iter()
            .find(|s| s.0 == story)
            .map(|s| s.1)
            .ok_or_else(|| AppError::Internal("story".into()))?;
        ctxs.get(coord)
            .ok_or_else(|| AppError::Internal("demo ctx".into()))
    }

    /// Pathways (issue 11): Kari (story 000) on the chronic fatigue/pain pathway from
    /// her referral a month ago, Mads (story 003) on the severe-depression discharge
    /// pathway from his discharge ten days ago. Arne (story 001) is left for the user
    /// (and the browser test) to enrol on the cancer pathway. And their check-in
    /// schedules (issue 12).
    async fn seed_demo_pathways(
        &self,
        ctxs: &HashMap<&'static str, Ctx>,
        patients: &HashMap<&'static str, PatientId>,
    ) -> Result<(), AppError> {
        use samband_domain::pathway::EnrolmentInput;
        let today = self.today();
        for (story, who, key, days_ago) in [
            ("000", "ingrid.berg", "chronic_fatigue_pain", 30),
            ("003", "camilla.poulsen", "depression_discharge", 10),
        ] {
            let ctx = ctxs
                .get(who)
                .ok_or_else(|| AppError::Internal("demo ctx".into()))?;
            let input = EnrolmentInput {
                template_key: key.into(),
                anchor_date: (today - chrono::Duration::days(days_ago)).to_string(),
            };
            self.pathways().enrol(ctx, patients[story], &input).await?;
        }
        // Self-monitoring (issue 12): Mads's pathway set his fortnightly PHQ-9 on
        // enrolment (his first is due now); Arne answers ESAS-r weekly at home.
        for (story, who, instrument, every, days_ago, milestone) in
            [("001", "anne.moe", "esas_r", 7, 0, None::<&str>)]
        {
            let ctx = ctxs
                .get(who)
                .ok_or_else(|| AppError::Internal("demo ctx".into()))?;
            let input = samband_domain::instrument::schedule::ScheduleInput {
                instrument: instrument.into(),
                every_days: Some(every),
                starts_on: Some(today - chrono::Duration::days(days_ago)),
                milestone: milestone.map(Into::into),
            };
            self.monitoring()
                .set_schedule(ctx, patients[story], &input)
                .await?;
        }
        Ok(())
    }
}
