use crate::auth;
use crate::data;
use crate::domain::enums::{Role, SegmentCode};
use crate::graphql::ctx;
use crate::graphql::types::Partner;
use async_graphql::{Context, Object, Result};

/// The caller, as its token describes it.
pub struct Viewer(pub auth::Viewer);

/// Who the token says the caller is, and what it grants.
#[Object]
impl Viewer {
    /// The token's `sub` claim.
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    /// The token's role.
    async fn role(&self) -> Role {
        self.0.role
    }
    /// The partner of a partner-side viewer.
    async fn partner(&self, ctx: &Context<'_>) -> Result<Option<Partner>> {
        let Some(id) = self.0.own_partner() else {
            return Ok(None);
        };
        Ok(data::partners::find(ctx::db(ctx)?, &self.0, id)
            .await?
            .map(Partner))
    }
    /// An AWS_SELLER's segments.
    async fn segments(&self) -> Vec<SegmentCode> {
        self.0.segments.clone()
    }
    /// The partners a PARTNER_MANAGER manages, by name.
    async fn managed_partners(&self, ctx: &Context<'_>) -> Result<Vec<Partner>> {
        if self.0.role != Role::PartnerManager {
            return Ok(Vec::new());
        }
        let mut rows =
            data::partners::find_many(ctx::db(ctx)?, &self.0, &self.0.partner_ids).await?;
        rows.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(rows.into_iter().map(Partner).collect())
    }
    /// The token's scopes (`cosell:read`, `cosell:write`); without `cosell:write` every
    /// mutation is FORBIDDEN.
    async fn scopes(&self) -> Vec<String> {
        self.0.scopes.clone()
    }
}
