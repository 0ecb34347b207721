//! Which actions a role may take on an object it can already see (docs/domain.md). Refusals here
//! are FORBIDDEN; objects the viewer cannot see are NOT_FOUND before these are asked.
use crate::auth::Viewer;
use crate::domain::enums::Role;
use crate::error::{AppError, AppResult};

pub fn create_partner(viewer: &Viewer) -> AppResult<()> {
    if viewer.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::Forbidden("only ADMIN may create partners".into()))
    }
}

/// The partner profile, its solutions and its references.
pub fn edit_partner_profile(viewer: &Viewer, partner_id: &str) -> AppResult<()> {
    match viewer.role {
        Role::Admin => Ok(()),
        Role::PartnerAdmin if viewer.own_partner() == Some(partner_id) => Ok(()),
        _ => Err(AppError::Forbidden(
            "only the partner's PARTNER_ADMIN or an ADMIN may change its profile, solutions and references".into(),
        )),
    }
}

/// Customers, contacts and opportunities of a partner: its own users, or an ADMIN.
pub fn edit_partner_data(viewer: &Viewer, partner_id: &str) -> AppResult<()> {
    match viewer.role {
        Role::Admin => Ok(()),
        Role::PartnerUser | Role::PartnerAdmin if viewer.own_partner() == Some(partner_id) => {
            Ok(())
        }
        _ => Err(AppError::Forbidden(
            "only the partner's own users or an ADMIN may change its customers and opportunities"
                .into(),
        )),
    }
}

/// The review workflow of submitted opportunities: a PARTNER_MANAGER of the partner, or ADMIN.
pub fn review_opportunity(viewer: &Viewer, partner_id: &str) -> AppResult<()> {
    match viewer.role {
        Role::Admin => Ok(()),
        Role::PartnerManager if viewer.partner_ids.iter().any(|p| p == partner_id) => Ok(()),
        _ => Err(AppError::Forbidden(
            "only a PARTNER_MANAGER of the partner or an ADMIN may review opportunities".into(),
        )),
    }
}

/// Asks are requested by the partner: its own users, or an ADMIN (create, update, withdraw).
pub fn request_ask(viewer: &Viewer, partner_id: &str) -> AppResult<()> {
    match viewer.role {
        Role::Admin => Ok(()),
        Role::PartnerUser | Role::PartnerAdmin if viewer.own_partner() == Some(partner_id) => {
            Ok(())
        }
        _ => Err(AppError::Forbidden(
            "only the partner's own users or an ADMIN may request, change or withdraw its asks"
                .into(),
        )),
    }
}

/// Asks are worked by the AWS side: an AWS_SELLER or PARTNER_MANAGER who can see the ask, or
/// an ADMIN (assign, acknowledge, start, fulfil, decline).
pub fn work_ask(viewer: &Viewer) -> AppResult<()> {
    match viewer.role {
        Role::Admin | Role::AwsSeller | Role::PartnerManager => Ok(()),
        _ => Err(AppError::Forbidden(
            "only the AWS side (AWS_SELLER, PARTNER_MANAGER) or an ADMIN may work asks".into(),
        )),
    }
}

/// AWS shares referrals: an AWS_SELLER for customers in its segments, a PARTNER_MANAGER to the
/// partners it manages (others are not visible to it), or an ADMIN.
pub fn send_referral(viewer: &Viewer, segment: crate::domain::enums::SegmentCode) -> AppResult<()> {
    match viewer.role {
        Role::Admin | Role::PartnerManager => Ok(()),
        Role::AwsSeller if viewer.segments.contains(&segment) => Ok(()),
        Role::AwsSeller => Err(AppError::Forbidden(
            "an AWS_SELLER may send referrals only for customers in its own segments".into(),
        )),
        _ => Err(AppError::Forbidden(
            "only AWS_SELLER, PARTNER_MANAGER or ADMIN may send referrals".into(),
        )),
    }
}

/// A referral is answered by the partner that received it: its own users, or an ADMIN.
pub fn answer_referral(viewer: &Viewer, partner_id: &str) -> AppResult<()> {
    match viewer.role {
        Role::Admin => Ok(()),
        Role::PartnerUser | Role::PartnerAdmin if viewer.own_partner() == Some(partner_id) => {
            Ok(())
        }
        _ => Err(AppError::Forbidden(
            "only the receiving partner's users or an ADMIN may accept or reject a referral".into(),
        )),
    }
}

/// Webhooks of a partner: its PARTNER_ADMIN, or an ADMIN.
pub fn manage_webhooks(viewer: &Viewer, partner_id: &str) -> AppResult<()> {
    match viewer.role {
        Role::Admin => Ok(()),
        Role::PartnerAdmin if viewer.own_partner() == Some(partner_id) => Ok(()),
        _ => Err(AppError::Forbidden(
            "only the partner's PARTNER_ADMIN or an ADMIN may manage its webhooks".into(),
        )),
    }
}
