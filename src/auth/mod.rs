//! Who is asking: JWT verification (the one place tokens are read) and the resulting `Viewer`.
pub mod jwt;
pub mod policy;
pub mod viewer;

pub use jwt::{JwtKeys, MintRequest};
pub use viewer::Viewer;
