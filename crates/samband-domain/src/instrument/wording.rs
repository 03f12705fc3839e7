//! The instruments' wording in en/nb/da.
//!
//! English is the published wording. The Norwegian and Danish texts are written from
//! the published translations (PHQ-9/GAD-7: Pfizer's official translations; WHO-5: the
//! Danish original and the 2004 Norwegian translation; ESAS-r: the Norwegian version
//! used in palliative care since 2012) as best known without the licensed files at
//! hand: every nb/da text here MUST be verified word for word against the licensed
//! translation before clinical use (tracked in the hazard log as "wrong wording").
//! ESAS-r must not be modified: its texts may only be replaced by the official ones.

use super::{AnswerOption, Item, Text3};

const fn t(en: &'static str, nb: &'static str, da: &'static str) -> Text3 {
    Text3 { en, nb, da }
}

const fn item(key: &'static str, loinc: Option<&'static str>, text: Text3) -> Item {
    Item {
        key,
        loinc,
        text,
        anchors: None,
    }
}

const fn scale(key: &'static str, text: Text3, low: Text3, high: Text3) -> Item {
    Item {
        key,
        loinc: None,
        text,
        anchors: Some((low, high)),
    }
}

pub(super) const PHQ_TITLE: Text3 = t(
    "Patient Health Questionnaire (PHQ-9)",
    "Spørreskjema om helse (PHQ-9)",
    "Spørgeskema om helbred (PHQ-9)",
);
pub(super) const PHQ2_TITLE: Text3 = t(
    "Patient Health Questionnaire (PHQ-2)",
    "Spørreskjema om helse (PHQ-2)",
    "Spørgeskema om helbred (PHQ-2)",
);
pub(super) const PHQ_INSTRUCTIONS: Text3 = t(
    "Over the last 2 weeks, how often have you been bothered by any of the following problems?",
    "I løpet av de siste 2 ukene, hvor ofte har du vært plaget av noen av følgende problemer?",
    "Hvor ofte har du i løbet af de sidste 2 uger været generet af følgende problemer?",
);

/// PHQ-9 and GAD-7 share the answer list (LOINC LL358-3).
pub(super) const FREQUENCY: [AnswerOption; 4] = [
    AnswerOption {
        value: 0,
        loinc: Some("LA6568-5"),
        label: t("Not at all", "Ikke i det hele tatt", "Slet ikke"),
    },
    AnswerOption {
        value: 1,
        loinc: Some("LA6569-3"),
        label: t("Several days", "Flere dager", "Flere dage"),
    },
    AnswerOption {
        value: 2,
        loinc: Some("LA6570-1"),
        label: t(
            "More than half the days",
            "Mer enn halvparten av dagene",
            "Mere end halvdelen af dagene",
        ),
    },
    AnswerOption {
        value: 3,
        loinc: Some("LA6571-9"),
        label: t("Nearly every day", "Nesten hver dag", "Næsten hver dag"),
    },
];

pub(super) const PHQ9_ITEMS: [Item; 9] = [
    item(
        "interest",
        Some("44250-9"),
        t(
            "Little interest or pleasure in doing things",
            "Lite interesse for eller glede av å gjøre ting",
            "Ringe interesse for eller glæde ved at gøre ting",
        ),
    ),
    item(
        "down",
        Some("44255-8"),
        t(
            "Feeling down, depressed, or hopeless",
            "Følt deg nedfor, deprimert eller fylt av håpløshet",
            "Følt dig nedtrykt, deprimeret eller håbløs",
        ),
    ),
    item(
        "sleep",
        Some("44259-0"),
        t(
            "Trouble falling or staying asleep, or sleeping too much",
            "Problemer med å sovne eller sove uten avbrudd, eller sovet for mye",
            "Besvær med at falde i søvn eller blive ved med at sove, eller sovet for meget",
        ),
    ),
    item(
        "tired",
        Some("44254-1"),
        t(
            "Feeling tired or having little energy",
            "Følt deg trett eller hatt lite energi",
            "Følt dig træt eller haft meget lidt energi",
        ),
    ),
    item(
        "appetite",
        Some("44251-7"),
        t(
            "Poor appetite or overeating",
            "Dårlig matlyst eller spist for mye",
            "Dårlig appetit eller overspisning",
        ),
    ),
    item(
        "failure",
        Some("44258-2"),
        t(
            "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
            "Dårlig selvbilde — eller følt at du er mislykket eller har sviktet deg selv eller familien din",
            "Dårlig selvopfattelse — eller følt at du er en fiasko eller har svigtet dig selv eller din familie",
        ),
    ),
    item(
        "concentration",
        Some("44252-5"),
        t(
            "Trouble concentrating on things, such as reading the newspaper or watching television",
            "Problemer med å konsentrere deg om ting, som å lese avisen eller se på TV",
            "Besvær med at koncentrere dig om ting, såsom at læse avis eller se fjernsyn",
        ),
    ),
    item(
        "psychomotor",
        Some("44253-3"),
        t(
            "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety or restless that you have been moving around a lot more than usual",
            "Beveget deg eller snakket så langsomt at andre kunne ha lagt merke til det? Eller motsatt — vært så rastløs eller urolig at du har beveget deg mye mer enn vanlig",
            "Bevæget dig eller talt så langsomt, at andre mennesker kunne have bemærket det? Eller det modsatte — været så rastløs eller urolig, at du har bevæget dig meget mere end normalt",
        ),
    ),
    item(
        "self_harm",
        Some("44260-8"),
        t(
            "Thoughts that you would be better off dead, or of hurting yourself in some way",
            "Tanker om at det ville vært bedre om du var død, eller om å skade deg selv på en eller annen måte",
            "Tanker om at du ville være bedre tjent med at være død, eller om at gøre dig selv fortræd på en eller anden måde",
        ),
    ),
];

pub(super) const GAD7_TITLE: Text3 = t(
    "Generalised Anxiety Disorder scale (GAD-7)",
    "Skala for generalisert angst (GAD-7)",
    "Skala for generaliseret angst (GAD-7)",
);

pub(super) const GAD7_ITEMS: [Item; 7] = [
    item(
        "nervous",
        Some("69725-0"),
        t(
            "Feeling nervous, anxious, or on edge",
            "Følt deg nervøs, engstelig eller veldig anspent",
            "Følt dig nervøs, ængstelig eller anspændt",
        ),
    ),
    item(
        "stop_worrying",
        Some("68509-9"),
        t(
            "Not being able to stop or control worrying",
            "Ikke klart å slutte å bekymre deg eller kontrollere bekymringene dine",
            "Ikke været i stand til at stoppe eller kontrollere dine bekymringer",
        ),
    ),
    item(
        "worry_too_much",
        Some("69733-4"),
        t(
            "Worrying too much about different things",
            "Bekymret deg for mye om forskjellige ting",
            "Bekymret dig for meget om forskellige ting",
        ),
    ),
    item(
        "relaxing",
        Some("69734-2"),
        t(
            "Trouble relaxing",
            "Hatt vanskelig for å slappe av",
            "Haft svært ved at slappe af",
        ),
    ),
    item(
        "restless",
        Some("69735-9"),
        t(
            "Being so restless that it is hard to sit still",
            "Vært så rastløs at det har vært vanskelig å sitte stille",
            "Været så rastløs, at det har været svært at sidde stille",
        ),
    ),
    item(
        "irritable",
        Some("69689-8"),
        t(
            "Becoming easily annoyed or irritable",
            "Blitt lett irritert eller sint",
            "Været let irriteret eller irritabel",
        ),
    ),
    item(
        "afraid",
        Some("69736-7"),
        t(
            "Feeling afraid, as if something awful might happen",
            "Følt deg redd, som om noe forferdelig kunne komme til å skje",
            "Følt dig bange, som om noget forfærdeligt kunne ske",
        ),
    ),
];

pub(super) const WHO5_TITLE: Text3 = t(
    "WHO-5 Well-Being Index",
    "WHO-5 trivselsindeks",
    "WHO-5 Trivselsindeks",
);
pub(super) const WHO5_INSTRUCTIONS: Text3 = t(
    "Please indicate for each of the five statements which is closest to how you have been feeling over the last two weeks.",
    "Vennligst angi for hvert av de fem utsagnene hva som best beskriver hvordan du har hatt det de siste to ukene.",
    "Angiv venligst for hvert af de fem udsagn, hvad der bedst beskriver, hvordan du har haft det i de sidste to uger.",
);
pub(super) const WHO5_OPTIONS: [AnswerOption; 6] = [
    AnswerOption {
        value: 5,
        loinc: None,
        label: t("All of the time", "Hele tiden", "Hele tiden"),
    },
    AnswerOption {
        value: 4,
        loinc: None,
        label: t(
            "Most of the time",
            "Mesteparten av tiden",
            "Det meste af tiden",
        ),
    },
    AnswerOption {
        value: 3,
        loinc: None,
        label: t(
            "More than half of the time",
            "Litt mer enn halvparten av tiden",
            "Lidt mere end halvdelen af tiden",
        ),
    },
    AnswerOption {
        value: 2,
        loinc: None,
        label: t(
            "Less than half of the time",
            "Litt mindre enn halvparten av tiden",
            "Lidt mindre end halvdelen af tiden",
        ),
    },
    AnswerOption {
        value: 1,
        loinc: None,
        label: t("Some of the time", "Litt av tiden", "Lidt af tiden"),
    },
    AnswerOption {
        value: 0,
        loinc: None,
        label: t("At no time", "Ikke i det hele tatt", "På intet tidspunkt"),
    },
];
pub(super) const WHO5_ITEMS: [Item; 5] = [
    item(
        "cheerful",
        None,
        t(
            "I have felt cheerful and in good spirits",
            "Jeg har følt meg glad og i godt humør",
            "Jeg har været glad og i godt humør",
        ),
    ),
    item(
        "calm",
        None,
        t(
            "I have felt calm and relaxed",
            "Jeg har følt meg rolig og avslappet",
            "Jeg har følt mig rolig og afslappet",
        ),
    ),
    item(
        "active",
        None,
        t(
            "I have felt active and vigorous",
            "Jeg har følt meg aktiv og energisk",
            "Jeg har følt mig aktiv og energisk",
        ),
    ),
    item(
        "rested",
        None,
        t(
            "I woke up feeling fresh and rested",
            "Jeg har våknet opp frisk og uthvilt",
            "Jeg er vågnet frisk og udhvilet",
        ),
    ),
    item(
        "interest",
        None,
        t(
            "My daily life has been filled with things that interest me",
            "Hverdagen min har vært fylt med ting som interesserer meg",
            "Min dagligdag har været fyldt med ting, der interesserer mig",
        ),
    ),
];

/// 0–10 scale, labelled by number; the item's anchors carry the words.
pub(super) const ZERO_TO_TEN: [AnswerOption; 11] = {
    const fn n(value: u8, s: &'static str) -> AnswerOption {
        AnswerOption {
            value,
            loinc: None,
            label: t(s, s, s),
        }
    }
    [
        n(0, "0"),
        n(1, "1"),
        n(2, "2"),
        n(3, "3"),
        n(4, "4"),
        n(5, "5"),
        n(6, "6"),
        n(7, "7"),
        n(8, "8"),
        n(9, "9"),
        n(10, "10"),
    ]
};

pub(super) const ESAS_TITLE: Text3 = t(
    "Edmonton Symptom Assessment System – revised (ESAS-r)",
    "Edmonton Symptom Assessment System – revidert (ESAS-r)",
    "Edmonton Symptom Assessment System – revideret (ESAS-r)",
);
pub(super) const ESAS_INSTRUCTIONS: Text3 = t(
    "Please circle the number that best describes how you feel NOW:",
    "Sett ring rundt det tallet som best beskriver hvordan du har det NÅ:",
    "Sæt ring om det tal, der bedst beskriver, hvordan du har det NU:",
);
/// The acknowledgement the ESAS-r manual (Alberta Health Services, 2019) asks for
/// wherever the instrument is reproduced; exact wording to be verified against it.
pub(super) const ESAS_ACK: Text3 = t(
    "ESAS-r: Edmonton Symptom Assessment System – revised. Reproduced unmodified with acknowledgement to Alberta Health Services and the Covenant Health Palliative Institute.",
    "ESAS-r: Edmonton Symptom Assessment System – revidert. Gjengitt uendret med anerkjennelse til Alberta Health Services og Covenant Health Palliative Institute.",
    "ESAS-r: Edmonton Symptom Assessment System – revideret. Gengivet uændret med anerkendelse til Alberta Health Services og Covenant Health Palliative Institute.",
);

pub(super) const ESAS_ITEMS: [Item; 9] = [
    scale(
        "pain",
        t("Pain", "Smerte", "Smerter"),
        t("No pain", "Ingen smerte", "Ingen smerter"),
        t(
            "Worst possible pain",
            "Verst tenkelige smerte",
            "Værst tænkelige smerter",
        ),
    ),
    scale(
        "tiredness",
        t(
            "Tiredness (Tiredness = lack of energy)",
            "Slapphet (Slapphet = mangel på energi)",
            "Træthed (Træthed = mangel på energi)",
        ),
        t("No tiredness", "Ingen slapphet", "Ingen træthed"),
        t(
            "Worst possible tiredness",
            "Verst tenkelige slapphet",
            "Værst tænkelige træthed",
        ),
    ),
    scale(
        "drowsiness",
        t(
            "Drowsiness (Drowsiness = feeling sleepy)",
            "Døsighet (Døsighet = følelse av å være søvnig)",
            "Døsighed (Døsighed = at føle sig søvnig)",
        ),
        t("No drowsiness", "Ingen døsighet", "Ingen døsighed"),
        t(
            "Worst possible drowsiness",
            "Verst tenkelige døsighet",
            "Værst tænkelige døsighed",
        ),
    ),
    scale(
        "nausea",
        t("Nausea", "Kvalme", "Kvalme"),
        t("No nausea", "Ingen kvalme", "Ingen kvalme"),
        t(
            "Worst possible nausea",
            "Verst tenkelige kvalme",
            "Værst tænkelige kvalme",
        ),
    ),
    scale(
        "appetite",
        t("Lack of appetite", "Dårlig matlyst", "Nedsat appetit"),
        t(
            "No lack of appetite",
            "Ingen problemer med matlysten",
            "Ingen nedsat appetit",
        ),
        t(
            "Worst possible lack of appetite",
            "Verst tenkelige mangel på matlyst",
            "Værst tænkelige nedsatte appetit",
        ),
    ),
    scale(
        "breath",
        t("Shortness of breath", "Tung pust", "Åndenød"),
        t("No shortness of breath", "Ingen tung pust", "Ingen åndenød"),
        t(
            "Worst possible shortness of breath",
            "Verst tenkelige tung pust",
            "Værst tænkelige åndenød",
        ),
    ),
    scale(
        "depression",
        t(
            "Depression (Depression = feeling sad)",
            "Depresjon (Depresjon = å føle seg nedstemt)",
            "Depression (Depression = at føle sig trist)",
        ),
        t("No depression", "Ingen depresjon", "Ingen depression"),
        t(
            "Worst possible depression",
            "Verst tenkelige depresjon",
            "Værst tænkelige depression",
        ),
    ),
    scale(
        "anxiety",
        t(
            "Anxiety (Anxiety = feeling nervous)",
            "Angst (Angst = å føle seg urolig)",
            "Angst (Angst = at føle sig nervøs)",
        ),
        t("No anxiety", "Ingen angst", "Ingen angst"),
        t(
            "Worst possible anxiety",
            "Verst tenkelige angst",
            "Værst tænkelige angst",
        ),
    ),
    scale(
        "wellbeing",
        t(
            "Wellbeing (Wellbeing = how you feel overall)",
            "Velvære (Velvære = hvordan du har det generelt)",
            "Velbefindende (Velbefindende = hvordan du har det generelt)",
        ),
        t(
            "Best wellbeing",
            "Best tenkelige velvære",
            "Bedst tænkelige velbefindende",
        ),
        t(
            "Worst possible wellbeing",
            "Verst tenkelige velvære",
            "Værst tænkelige velbefindende",
        ),
    ),
];

pub(super) const NRS_TITLE: Text3 = t(
    "Pain intensity (NRS 0–10)",
    "Smerteintensitet (NRS 0–10)",
    "Smerteintensitet (NRS 0–10)",
);
pub(super) const NRS_INSTRUCTIONS: Text3 = t(
    "On a scale from 0 to 10, how strong is your pain right now?",
    "På en skala fra 0 til 10, hvor sterke smerter har du akkurat nå?",
    "På en skala fra 0 til 10, hvor stærke smerter har du lige nu?",
);
pub(super) const NRS_ITEMS: [Item; 1] = [Item {
    key: "pain",
    loinc: Some("72514-3"),
    text: t("Pain right now", "Smerte nå", "Smerter nu"),
    anchors: Some((
        t("No pain", "Ingen smerte", "Ingen smerter"),
        t(
            "Worst pain imaginable",
            "Verst tenkelige smerte",
            "Værst tænkelige smerter",
        ),
    )),
}];

pub(super) const fn band_label(en: &'static str, nb: &'static str, da: &'static str) -> Text3 {
    t(en, nb, da)
}
