use crate::domain::enums::{SegmentCode, SegmentGroup, decode};
use async_graphql::{Object, Result};
use entity::segment;

pub struct Segment(pub segment::Model);

/// An AWS sales segment: who sells to which customers.
#[Object]
impl Segment {
    /// The segment's code.
    async fn code(&self) -> Result<SegmentCode> {
        Ok(decode(&self.0.code)?)
    }
    /// Commercial or public sector.
    async fn group(&self) -> Result<SegmentGroup> {
        Ok(decode(&self.0.segment_group)?)
    }
    /// The segment's name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// AWS's short name (`ENT`, `DNB`, …).
    async fn abbreviation(&self) -> &str {
        &self.0.abbreviation
    }
    /// Which customers belong to it.
    async fn description(&self) -> &str {
        &self.0.description
    }
}
