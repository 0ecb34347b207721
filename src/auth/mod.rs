//! Who is asking: token verification (the one place tokens are read) and the resulting
//! `Viewer`. Local HS256 tokens (`jwt`), an identity provider's published keys (`jwks`), and
//! the mapping of their claims (`claims`); `tokens` chooses between them.
pub mod claims;
pub mod jwks;
pub mod jwt;
pub mod policy;
pub mod tokens;
pub mod viewer;

pub use jwt::{JwtKeys, MintRequest};
pub use tokens::{RejectReason, Rejection, Tokens};
pub use viewer::Viewer;
