//! GraphQL object types. Each wraps a stored row; nested objects resolve through loaders.
pub mod node;
pub mod partner;
pub mod segment;
pub mod viewer;

pub use node::Node;
pub use partner::{CustomerReference, Partner, PartnerConnection, Solution};
