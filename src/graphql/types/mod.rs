//! GraphQL object types. Each wraps a stored row; nested objects resolve through loaders.
pub mod ace;
pub mod ask;
pub mod customer;
pub mod node;
pub mod opportunity;
pub mod partner;
pub mod pipeline;
pub mod referral;
pub mod segment;
pub mod viewer;
pub mod webhook;

pub use ask::{Ask, AskConnection};
pub use customer::{Contact, Customer, CustomerConnection};
pub use node::Node;
pub use opportunity::{Change, Opportunity, OpportunityConnection};
pub use partner::{CustomerReference, Partner, PartnerConnection, Solution};
pub use pipeline::Pipeline;
pub use referral::{Referral, ReferralConnection};
pub use webhook::{AskEvent, CreatedWebhook, OpportunityEvent, Webhook};
