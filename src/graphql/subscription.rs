//! Subscription root: live events over `/graphql/ws` (docs/events.md). A subscriber receives
//! an event only for an object its token could read at that moment (`OpportunityReach`, the
//! read scope's own rule), with the reads' field hiding; NOTES_UPDATED only where notes are
//! visible.
use crate::auth::Viewer;
use crate::data::scope::OpportunityReach;
use crate::error::AppError;
use crate::graphql::ctx;
use crate::graphql::types::{Ask, AskEvent, Opportunity, OpportunityEvent};
use crate::live::{Connection, LiveEvent, LiveObject, SubscriptionSlot};
use async_graphql::{Context, ID, Result, Subscription};
use futures_util::Stream;

#[derive(Default)]
pub struct SubscriptionRoot;

/// Who may see an event: the reach of the viewer's token, its filters, and the notes rule.
struct Audience {
    reach: OpportunityReach,
    sees_notes: bool,
    opportunity_id: Option<String>,
    partner_id: Option<String>,
}

impl Audience {
    fn admits(&self, event: &LiveEvent) -> bool {
        let facts = event.object.facts();
        (self.sees_notes || event.action != "NOTES_UPDATED")
            && self.reach.admits(&facts)
            && self
                .opportunity_id
                .as_deref()
                .is_none_or(|id| id == event.object.opportunity_id())
            && self
                .partner_id
                .as_deref()
                .is_none_or(|id| id == facts.partner_id)
    }
}

fn start(
    ctx: &Context<'_>,
    opportunity_id: Option<ID>,
    partner_id: Option<ID>,
) -> Result<(Audience, SubscriptionSlot)> {
    let viewer: &Viewer = ctx::viewer(ctx)?;
    if !viewer.can_read() {
        return Err(AppError::Forbidden("subscriptions need the cosell:read scope".into()).into());
    }
    let connection = ctx
        .data::<Connection>()
        .map_err(|_| AppError::internal("a subscription without its connection"))?;
    let slot = connection
        .open_subscription()
        .ok_or_else(|| AppError::Forbidden("too many subscriptions on this connection".into()))?;
    Ok((
        Audience {
            reach: OpportunityReach::of(viewer),
            sees_notes: viewer.sees_internal_notes(),
            opportunity_id: opportunity_id.map(|id| id.0),
            partner_id: partner_id.map(|id| id.0),
        },
        slot,
    ))
}

/// Live events over `/graphql/ws` (graphql-transport-ws or graphql-ws), each on an object the
/// subscriber may read at that moment.
#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// Changes to the opportunities the viewer may read, as they commit, in order.
    async fn opportunity_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this opportunity's events.")] opportunity_id: Option<ID>,
        #[graphql(desc = "Only this partner's opportunities.")] partner_id: Option<ID>,
    ) -> Result<impl Stream<Item = OpportunityEvent>> {
        let (audience, slot) = start(ctx, opportunity_id, partner_id)?;
        Ok(slot.stream(move |event| match &event.object {
            LiveObject::Opportunity { opportunity, .. } if audience.admits(event) => {
                Some(OpportunityEvent {
                    action: event.action.clone(),
                    opportunity: Opportunity(opportunity.as_ref().clone()),
                    actor: event.actor.clone(),
                    at: event.at,
                })
            }
            _ => None,
        }))
    }

    /// Changes to the asks the viewer may read (on opportunities it may read), as they commit,
    /// in order; OVERDUE when an open ask's due date passes.
    async fn ask_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only the asks of this opportunity.")] opportunity_id: Option<ID>,
        #[graphql(desc = "Only this partner's asks.")] partner_id: Option<ID>,
    ) -> Result<impl Stream<Item = AskEvent>> {
        let (audience, slot) = start(ctx, opportunity_id, partner_id)?;
        Ok(slot.stream(move |event| match &event.object {
            LiveObject::Ask { ask, .. } if audience.admits(event) => Some(AskEvent {
                action: event.action.clone(),
                ask: Ask(ask.as_ref().clone()),
                actor: event.actor.clone(),
                at: event.at,
            }),
            _ => None,
        }))
    }
}
