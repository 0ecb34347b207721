//! Referrals: scoped reads and the filtered list. EXPIRED is never stored: a PENDING referral
//! reads EXPIRED once its `expires_at` has passed, in SQL filters and in the API alike.
use super::page::{KeyKind, Keyset, Page, PageArgs, time_value};
use super::scope;
use crate::auth::Viewer;
use crate::domain::enums::{ReferralStatus, StoredEnum};
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use entity::referral;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};

#[derive(Default, Clone, Debug)]
pub struct ReferralFilter {
    pub statuses: Option<Vec<ReferralStatus>>,
    pub partner_id: Option<String>,
}

/// The status a referral reads as at `now`.
pub fn status_of(m: &referral::Model, now: DateTime<Utc>) -> AppResult<ReferralStatus> {
    let stored: ReferralStatus = crate::domain::enums::decode(&m.status)?;
    Ok(match stored {
        ReferralStatus::Pending if m.expires_at <= now => ReferralStatus::Expired,
        other => other,
    })
}

fn status_condition(status: ReferralStatus, now: DateTime<Utc>) -> Condition {
    use referral::Column as R;
    let pending = R::Status.eq(ReferralStatus::Pending.as_str());
    match status {
        ReferralStatus::Pending => Condition::all().add(pending).add(R::ExpiresAt.gt(now)),
        ReferralStatus::Expired => Condition::all().add(pending).add(R::ExpiresAt.lte(now)),
        stored => Condition::all().add(R::Status.eq(stored.as_str())),
    }
}

pub async fn find<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    id: &str,
) -> AppResult<Option<referral::Model>> {
    Ok(referral::Entity::find_by_id(id.to_string())
        .filter(scope::referrals(viewer))
        .one(db)
        .await?)
}

/// One page of the referrals the viewer may see, newest first.
pub async fn page<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    filter: &ReferralFilter,
    args: &PageArgs,
    with_total: bool,
    now: DateTime<Utc>,
) -> AppResult<Page<referral::Model>> {
    let mut query = referral::Entity::find().filter(scope::referrals(viewer));
    if let Some(statuses) = &filter.statuses {
        query = query.filter(statuses.iter().fold(Condition::any(), |any, s| {
            any.add(status_condition(*s, now))
        }));
    }
    if let Some(partner_id) = &filter.partner_id {
        query = query.filter(referral::Column::PartnerId.eq(partner_id.as_str()));
    }
    Keyset::by(
        Expr::col((referral::Entity, referral::Column::CreatedAt)),
        KeyKind::Time,
        Expr::col((referral::Entity, referral::Column::Id)),
        true,
    )
    .page(db, query, args, with_total)
    .await
}

pub fn cursor_of(m: &referral::Model) -> Vec<serde_json::Value> {
    vec![time_value(&m.created_at), m.id.clone().into()]
}
