//! Whether an opportunity is ready to submit to AWS (docs/domain.md, "Readiness"): seven checks,
//! each with a message a partner can act on.
use crate::data::opportunities::OpenTitle;
use crate::domain::enums::{Origin, ReadinessCheckName, SalesActivity, Stage, StoredEnum, decode};
use crate::error::AppResult;
use chrono::NaiveDate;
use entity::opportunity;

/// Shortest business problem ACE accepts.
pub const BUSINESS_PROBLEM_MIN: usize = 20;

pub struct Check {
    pub name: ReadinessCheckName,
    pub passed: bool,
    pub message: String,
}

/// What the checks need besides the opportunity row.
pub struct Facts {
    pub solutions: usize,
    /// For a partner connected to ACE: how many associated solutions ACE knows.
    pub ace_linked_solutions: Option<usize>,
    pub duplicate: bool,
    pub today: NaiveDate,
}

pub fn evaluate(o: &opportunity::Model, f: &Facts) -> AppResult<Vec<Check>> {
    use ReadinessCheckName as N;
    let stage: Stage = decode(&o.stage)?;
    let origin: Origin = decode(&o.origin)?;
    let list = |v: &serde_json::Value| v.as_array().map(|a| a.len()).unwrap_or(0);
    let activities: Vec<String> =
        crate::domain::stored::json(&o.sales_activities, "sales activities")?;

    let mut missing = Vec::new();
    if o.title.trim().is_empty() {
        missing.push("a title".to_string());
    }
    let problem_len = o.customer_business_problem.chars().count();
    if problem_len < BUSINESS_PROBLEM_MIN {
        missing.push(format!(
            "a business problem of at least {BUSINESS_PROBLEM_MIN} characters (it has {problem_len})"
        ));
    }
    if o.customer_use_case.is_none() {
        missing.push("a customer use case".into());
    }
    if list(&o.delivery_models) == 0 {
        missing.push("delivery models".into());
    }
    if o.expected_monthly_spend_cents.unwrap_or(0) <= 0 {
        missing.push("an expected monthly AWS spend above 0".into());
    }
    if f.solutions == 0 {
        missing.push("an associated solution (associateSolution)".into());
    }

    let specific_stage = !matches!(stage, Stage::Prospect) && !stage.is_terminal();
    let beyond_first_contact = activities
        .iter()
        .any(|a| a != SalesActivity::InitializedDiscussionsWithCustomer.as_str());

    let active = !stage.is_terminal();
    let date_ok = o.target_close_date.is_some_and(|d| d >= f.today);

    let mut checks = vec![
        check(
            N::CustomerConsent,
            o.customer_consent,
            "The customer agreed to be shared with AWS.",
            "Get the customer's consent to share the opportunity with AWS, then set customerConsent.".into(),
        ),
        check(
            N::PartnerOriginatedAndLed,
            origin == Origin::PartnerReferral && o.partner_led,
            "The partner originated and leads the opportunity.",
            if origin != Origin::PartnerReferral {
                "The opportunity came from AWS (AWS_REFERRAL); only partner-originated opportunities are submitted.".into()
            } else {
                "Confirm the partner leads the deal (partnerLed).".into()
            },
        ),
        check(
            N::ActiveWithTargetCloseDate,
            active && date_ok,
            "The opportunity is active with a target close date ahead.",
            if !active {
                "The opportunity is closed (LAUNCHED or CLOSED_LOST).".into()
            } else if o.target_close_date.is_none() {
                "Set targetCloseDate: when AWS billing is expected to start.".into()
            } else {
                "targetCloseDate is in the past; move it to the expected start of AWS billing.".into()
            },
        ),
        check(
            N::NetNewForAws,
            o.net_new_for_aws,
            "The opportunity is new business for AWS.",
            "Only new business for AWS is co-sold; confirm it with netNewForAws.".into(),
        ),
        check(
            N::ClearProjectDescription,
            missing.is_empty(),
            "The project is clearly described.",
            format!("Describe the project: add {}.", missing.join(", ")),
        ),
        check(
            N::SpecificDetails,
            specific_stage && beyond_first_contact,
            "The opportunity is past the first contact.",
            if !specific_stage {
                "Qualify the opportunity first: stage must be at least QUALIFIED.".into()
            } else {
                "Record a sales activity beyond INITIALIZED_DISCUSSIONS_WITH_CUSTOMER.".into()
            },
        ),
        check(
            N::NotDuplicate,
            !f.duplicate,
            "No other open opportunity for this customer has the same title.",
            "Another open opportunity of this partner for the same customer has the same title; update that one instead.".into(),
        ),
    ];
    // ACE accepts submissions only with a solution it knows (docs/ace-sync.md, "Solutions").
    if let Some(linked) = f.ace_linked_solutions {
        checks.push(check(
            N::AceSolutionLinked,
            linked > 0,
            "A solution known to ACE is associated.",
            "Associate a solution imported from ACE (importAceSolutions): ACE only accepts its own solutions.".into(),
        ));
    }
    Ok(checks)
}

/// Whether another open opportunity of the same partner, among the customer's open ones, has
/// the same normalised title.
pub fn is_duplicate(o: &opportunity::Model, open: &[OpenTitle]) -> bool {
    open.iter().any(|other| {
        other.id != o.id
            && other.partner_id == o.partner_id
            && other.title_normalized == o.title_normalized
    })
}

fn check(name: ReadinessCheckName, passed: bool, ok: &str, missing: String) -> Check {
    Check {
        name,
        passed,
        message: if passed { ok.to_string() } else { missing },
    }
}
