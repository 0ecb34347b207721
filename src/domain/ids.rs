//! Opaque ids: `<prefix>_<uuid v7 in hex>`. The prefix names the type (so `node(id:)` can route
//! without a lookup) and UUID v7 sorts by creation time, which keeps keyset tie-breaks stable.
use uuid::Uuid;

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum IdKind {
    Partner,
    Solution,
    CustomerReference,
    Customer,
    Contact,
    Opportunity,
    NextStep,
    Ask,
    AskComment,
    Referral,
    Change,
    Webhook,
}

impl IdKind {
    const PREFIXES: &'static [(IdKind, &'static str)] = &[
        (IdKind::Partner, "ptr"),
        (IdKind::Solution, "sol"),
        (IdKind::CustomerReference, "cref"),
        (IdKind::Customer, "cus"),
        (IdKind::Contact, "con"),
        (IdKind::Opportunity, "opp"),
        (IdKind::NextStep, "nxt"),
        (IdKind::Ask, "ask"),
        (IdKind::AskComment, "acm"),
        (IdKind::Referral, "rfl"),
        (IdKind::Change, "chg"),
        (IdKind::Webhook, "whk"),
    ];

    pub fn prefix(self) -> &'static str {
        Self::PREFIXES
            .iter()
            .find(|(kind, _)| *kind == self)
            .map(|(_, prefix)| *prefix)
            .unwrap_or("obj")
    }

    /// The kind an id claims to be, if it is shaped like one of ours.
    pub fn of(id: &str) -> Option<IdKind> {
        let (prefix, rest) = id.split_once('_')?;
        if rest.len() != 32 || !rest.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        Self::PREFIXES
            .iter()
            .find(|(_, p)| *p == prefix)
            .map(|(kind, _)| *kind)
    }

    pub fn new_id(self) -> String {
        format!("{}_{}", self.prefix(), Uuid::now_v7().simple())
    }
}
