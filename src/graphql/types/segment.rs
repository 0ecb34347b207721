use crate::domain::enums::{SegmentCode, SegmentGroup, decode};
use async_graphql::{Object, Result};
use entity::segment;

pub struct Segment(pub segment::Model);

/// An AWS sales segment: who sells to which customers.
#[Object]
impl Segment {
    async fn code(&self) -> Result<SegmentCode> {
        Ok(decode(&self.0.code)?)
    }
    async fn group(&self) -> Result<SegmentGroup> {
        Ok(decode(&self.0.segment_group)?)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn abbreviation(&self) -> &str {
        &self.0.abbreviation
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
}
