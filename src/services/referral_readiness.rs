//! Referral readiness of a partner (docs/domain.md, "Partners"): whether it qualifies to receive AWS
//! referrals and, check by check, what is missing.
use crate::data::partners::ProfileCounts;

/// Shortest value proposition that can say what sets a partner apart.
pub const VALUE_PROPOSITION_MIN: usize = 40;
/// Share of submissions AWS approved that counts as a track record, in percent.
pub const APPROVAL_RATE_MIN: i64 = 50;

pub struct Check {
    pub name: &'static str,
    pub passed: bool,
    pub message: String,
}

pub struct ReferralReadiness {
    pub eligible: bool,
    pub score: i32,
    pub checks: Vec<Check>,
}

pub fn evaluate(value_proposition: Option<&str>, f: &ProfileCounts) -> ReferralReadiness {
    let vp_len = value_proposition.map(|v| v.chars().count()).unwrap_or(0);
    let approval_rate = if f.track.submitted > 0 {
        f.track.approved * 100 / f.track.submitted
    } else {
        0
    };
    let checks = vec![
        check(
            "ACTIVE_SOLUTION",
            f.active_solutions > 0,
            "The partner has an active solution.".into(),
            "Add a solution and set its status to ACTIVE (createSolution / updateSolution).".into(),
        ),
        check(
            "CUSTOMER_REFERENCE",
            f.references > 0,
            "The partner has a customer reference.".into(),
            "Publish at least one customer reference or case study (addCustomerReference).".into(),
        ),
        check(
            "VALUE_PROPOSITION",
            vp_len >= VALUE_PROPOSITION_MIN,
            "The partner states its value proposition.".into(),
            format!(
                "Write a value proposition of at least {VALUE_PROPOSITION_MIN} characters that says what sets the partner apart (updatePartner)."
            ),
        ),
        check(
            "SEGMENT_EXPERTISE",
            f.segments > 0,
            "The partner declares segment expertise.".into(),
            "Declare the customer segments the partner knows (updatePartner, segments).".into(),
        ),
        check(
            "LAUNCHED_OPPORTUNITIES",
            f.track.launched > 0,
            format!("{} launched opportunities.", f.track.launched),
            "Launch at least one co-sold opportunity (closeOpportunity with outcome LAUNCHED)."
                .into(),
        ),
        check(
            "APPROVAL_RATE",
            f.track.submitted > 0 && approval_rate >= APPROVAL_RATE_MIN,
            format!(
                "AWS approved {} of {} submitted opportunities.",
                f.track.approved, f.track.submitted
            ),
            if f.track.submitted == 0 {
                "Submit opportunities to AWS; at least half of them must be approved.".into()
            } else {
                format!(
                    "AWS approved {} of {} submitted opportunities ({approval_rate}%); at least {APPROVAL_RATE_MIN}% is needed.",
                    f.track.approved, f.track.submitted
                )
            },
        ),
    ];
    let passed = checks.iter().filter(|c| c.passed).count();
    ReferralReadiness {
        eligible: passed == checks.len(),
        score: (passed * 100 / checks.len()) as i32,
        checks,
    }
}

fn check(name: &'static str, passed: bool, ok: String, missing: String) -> Check {
    Check {
        name,
        passed,
        message: if passed { ok } else { missing },
    }
}
