//! Row-level scope: which rows a viewer may read, as SQL conditions added to every query.
//!
//! Partner profile data (partner, solutions, references) is readable by the partner's own
//! users, by PARTNER_MANAGERs of that partner, by AWS_SELLERs (who choose partners to refer
//! customers to) and by ADMIN.
use crate::auth::Viewer;
use crate::domain::enums::Role;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition};

/// Matches no row: for a viewer whose claims grant nothing here.
pub fn nothing() -> Condition {
    Condition::all().add(Expr::val(1).eq(0))
}

/// Rows of partner profile data keyed by `partner_col`.
pub fn partner_profiles<C: ColumnTrait>(viewer: &Viewer, partner_col: C) -> Condition {
    match viewer.role {
        Role::PartnerUser | Role::PartnerAdmin => match viewer.own_partner() {
            Some(own) => Condition::all().add(partner_col.eq(own)),
            None => nothing(),
        },
        Role::PartnerManager => {
            Condition::all().add(partner_col.is_in(viewer.partner_ids.iter().cloned()))
        }
        Role::AwsSeller | Role::Admin => Condition::all(),
    }
}
