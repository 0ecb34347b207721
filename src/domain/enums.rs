//! Every enum of the contract. Each GraphQL value (SCREAMING_CASE) maps to one stored string:
//! the exact ACE string where ACE has the concept (docs/ace-model.md §3), the GraphQL name otherwise.

/// Parses a stored string back into its enum; a miss means the row was written by something
/// other than this server, which is an internal fault, not bad input.
pub trait StoredEnum: Sized + Copy + 'static {
    const NAME: &'static str;
    const ALL: &'static [Self];
    fn as_str(self) -> &'static str;
    fn parse(s: &str) -> Option<Self>;
}

macro_rules! stored_enum {
    // An enum whose values are ACE's: each value's description names its ACE string.
    (ace $(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $s:literal),+ $(,)? }) => {
        stored_enum!(@emit $(#[$meta])* $name {
            $($(#[$vmeta])* #[doc = concat!("ACE: `", $s, "`.")] $variant => $s),+
        });
    };
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $s:literal),+ $(,)? }) => {
        stored_enum!(@emit $(#[$meta])* $name { $($(#[$vmeta])* $variant => $s),+ });
    };
    (@emit $(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $s:literal),+ }) => {
        $(#[$meta])*
        #[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl StoredEnum for $name {
            const NAME: &'static str = stringify!($name);
            const ALL: &'static [Self] = &[$($name::$variant),+];
            fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }
            fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

stored_enum!(
    /// The role a token grants; it decides what the caller sees and may do.
    Role {
    /// A partner's user: reads all of its partner's data; creates and edits customers, opportunities and asks, submits, answers referrals.
    PartnerUser => "PARTNER_USER",
    /// A partner's administrator: as PARTNER_USER, plus the partner's profile, solutions and references.
    PartnerAdmin => "PARTNER_ADMIN",
    /// An AWS seller: sees submitted opportunities whose customer is in its segments; edits their nextSteps; works asks; sends referrals.
    AwsSeller => "AWS_SELLER",
    /// An AWS partner manager (PDM): sees its partners' submitted opportunities; reviews them; works asks.
    PartnerManager => "PARTNER_MANAGER",
    /// Operates cosell: sees and does everything, including creating partners.
    Admin => "ADMIN",
});

stored_enum!(
    /// The two families of segments.
    SegmentGroup {
    /// Commercial segments: digital native, enterprise, ISV, startup, SMB.
    Commercial => "COMMERCIAL",
    /// Public-sector segments: government, education, nonprofit, healthcare.
    PublicSector => "PUBLIC_SECTOR",
});

stored_enum!(
    /// An AWS sales segment.
    SegmentCode {
    /// Digital native businesses (DNB).
    DigitalNativeBusiness => "DIGITAL_NATIVE_BUSINESS",
    /// Large enterprises (ENT).
    Enterprise => "ENTERPRISE",
    /// Independent software vendors (ISV).
    Isv => "ISV",
    /// Startups (STARTUP).
    Startup => "STARTUP",
    /// Small and medium businesses (SMB).
    Smb => "SMB",
    /// Government (GOV, public sector).
    Government => "GOVERNMENT",
    /// Education (EDU, public sector).
    Education => "EDUCATION",
    /// Nonprofit organisations (NPO, public sector).
    Nonprofit => "NONPROFIT",
    /// Public healthcare organisations (HCLS, public sector).
    Healthcare => "HEALTHCARE",
});

stored_enum!(
    /// Whether a customer already uses AWS.
    AwsAdoption {
    /// The customer already runs workloads on AWS.
    Engaged => "ENGAGED",
    /// The customer does not use AWS yet.
    Greenfield => "GREENFIELD",
});

stored_enum!(ace
    /// Whether a solution can be associated (ACE `Solution.Status`).
    SolutionStatus { Active => "Active", Inactive => "Inactive", Draft => "Draft" });

stored_enum!(ace
    /// What kind of offering a solution is (ACE `Solution.Category`).
    SolutionCategory {
    SoftwareProduct => "Software Product",
    ConsultingService => "Consulting Service",
    HardwareProduct => "Hardware Product",
    CommunicationsProduct => "Communications Product",
    ProfessionalService => "Professional Service",
    ManagedService => "Managed Service",
    ValueAddedResale => "Value-Added Resale Amazon Web Services Service",
    DistributionService => "Distribution Service",
    TrainingService => "Training Service",
});

stored_enum!(ace
    /// Where the deal stands (ACE `LifeCycle.Stage`); LAUNCHED and CLOSED_LOST are final.
    Stage {
    Prospect => "Prospect",
    Qualified => "Qualified",
    TechnicalValidation => "Technical Validation",
    BusinessValidation => "Business Validation",
    Committed => "Committed",
    Launched => "Launched",
    ClosedLost => "Closed Lost",
});

stored_enum!(ace
    /// Where AWS's review of an opportunity stands (ACE `LifeCycle.ReviewStatus`).
    ReviewStatus {
    PendingSubmission => "Pending Submission",
    Submitted => "Submitted",
    InReview => "In review",
    Approved => "Approved",
    Rejected => "Rejected",
    ActionRequired => "Action Required",
});

stored_enum!(ace
    /// Who found the opportunity (ACE `Origin`).
    Origin { PartnerReferral => "Partner Referral", AwsReferral => "AWS Referral" });

stored_enum!(ace
    /// What kind of business the opportunity is (ACE `OpportunityType`).
    OpportunityType {
    NetNewBusiness => "Net New Business",
    FlatRenewal => "Flat Renewal",
    Expansion => "Expansion",
});

stored_enum!(ace
    /// How much the partner wants AWS involved when it submits (ACE `SubmitOpportunity.InvolvementType`).
    InvolvementType { ForVisibilityOnly => "For Visibility Only", CoSell => "Co-Sell" });

stored_enum!(ace
    /// A customer's industry (ACE `Customer.Account.Industry`).
    Industry {
    Aerospace => "Aerospace",
    Agriculture => "Agriculture",
    Automotive => "Automotive",
    ComputersAndElectronics => "Computers and Electronics",
    ConsumerGoods => "Consumer Goods",
    Education => "Education",
    EnergyOilAndGas => "Energy - Oil and Gas",
    EnergyPowerAndUtilities => "Energy - Power and Utilities",
    FinancialServices => "Financial Services",
    Gaming => "Gaming",
    Government => "Government",
    Healthcare => "Healthcare",
    Hospitality => "Hospitality",
    LifeSciences => "Life Sciences",
    Manufacturing => "Manufacturing",
    MarketingAndAdvertising => "Marketing and Advertising",
    MediaAndEntertainment => "Media and Entertainment",
    Mining => "Mining",
    NonProfitOrganization => "Non-Profit Organization",
    ProfessionalServices => "Professional Services",
    RealEstateAndConstruction => "Real Estate and Construction",
    Retail => "Retail",
    SoftwareAndInternet => "Software and Internet",
    Telecommunications => "Telecommunications",
    TransportationAndLogistics => "Transportation and Logistics",
    Travel => "Travel",
    WholesaleAndDistribution => "Wholesale and Distribution",
    Other => "Other",
});

stored_enum!(ace
    /// How the partner delivers the solution (ACE `Project.DeliveryModels`).
    DeliveryModel {
    SaasOrPaas => "SaaS or PaaS",
    ByolOrAmi => "BYOL or AMI",
    ManagedServices => "Managed Services",
    ProfessionalServices => "Professional Services",
    Resell => "Resell",
    Other => "Other",
});

stored_enum!(ace
    /// What the partner needs from AWS for the opportunity (ACE `PrimaryNeedsFromAws`).
    PrimaryNeed {
    ArchitecturalValidation => "Co-Sell - Architectural Validation",
    BusinessPresentation => "Co-Sell - Business Presentation",
    CompetitiveInformation => "Co-Sell - Competitive Information",
    PricingAssistance => "Co-Sell - Pricing Assistance",
    TechnicalConsultation => "Co-Sell - Technical Consultation",
    TotalCostOfOwnershipEvaluation => "Co-Sell - Total Cost of Ownership Evaluation",
    DealSupport => "Co-Sell - Deal Support",
    SupportForPublicTenderRfx => "Co-Sell - Support for Public Tender / RFx",
});

stored_enum!(ace
    /// A sales activity done with the customer (ACE `SalesActivities`).
    SalesActivity {
    InitializedDiscussionsWithCustomer => "Initialized discussions with customer",
    CustomerHasShownInterestInSolution => "Customer has shown interest in solution",
    ConductedPocDemo => "Conducted POC / Demo",
    InEvaluationPlanningStage => "In evaluation / planning stage",
    AgreedOnSolutionToBusinessProblem => "Agreed on solution to Business Problem",
    CompletedActionPlan => "Completed Action Plan",
    FinalizedDeploymentNeed => "Finalized Deployment Need",
    SowSigned => "SOW Signed",
});

stored_enum!(ace
    /// The main competitor (ACE `Project.CompetitorName`).
    CompetitorName {
    OracleCloud => "Oracle Cloud",
    OnPrem => "On-Prem",
    CoLocation => "Co-location",
    Akamai => "Akamai",
    Alicloud => "AliCloud",
    GoogleCloudPlatform => "Google Cloud Platform",
    IbmSoftlayer => "IBM Softlayer",
    MicrosoftAzure => "Microsoft Azure",
    OtherCostOptimization => "Other- Cost Optimization",
    NoCompetition => "No Competition",
    Other => "*Other",
});

stored_enum!(ace
    /// Why an opportunity was lost (ACE `LifeCycle.ClosedLostReason`).
    ClosedLostReason {
    CustomerDeficiency => "Customer Deficiency",
    DelayCancellationOfProject => "Delay / Cancellation of Project",
    LegalTaxRegulatory => "Legal / Tax / Regulatory",
    LostToCompetitorGoogle => "Lost to Competitor - Google",
    LostToCompetitorMicrosoft => "Lost to Competitor - Microsoft",
    LostToCompetitorSoftlayer => "Lost to Competitor - SoftLayer",
    LostToCompetitorVmware => "Lost to Competitor - VMWare",
    LostToCompetitorOther => "Lost to Competitor - Other",
    NoOpportunity => "No Opportunity",
    OnPremisesDeployment => "On Premises Deployment",
    PartnerGap => "Partner Gap",
    Price => "Price",
    SecurityCompliance => "Security / Compliance",
    TechnicalLimitations => "Technical Limitations",
    CustomerExperience => "Customer Experience",
    Other => "Other",
    PeopleRelationshipGovernance => "People/Relationship/Governance",
    ProductTechnology => "Product/Technology",
    FinancialCommercial => "Financial/Commercial",
});

stored_enum!(ace
    /// Whether the opportunity came from marketing (ACE `Marketing.Source`).
    MarketingSource { MarketingActivity => "Marketing Activity", None => "None" });

stored_enum!(ace
    /// A marketing channel (ACE `Marketing.Channels`).
    Channel {
    AwsMarketingCentral => "AWS Marketing Central",
    ContentSyndication => "Content Syndication",
    Display => "Display",
    Email => "Email",
    LiveEvent => "Live Event",
    OutOfHome => "Out Of Home (OOH)",
    Print => "Print",
    Search => "Search",
    Social => "Social",
    Telemarketing => "Telemarketing",
    Tv => "TV",
    Video => "Video",
    VirtualEvent => "Virtual Event",
});

stored_enum!(
    /// The currencies amounts may be in (ACE accepts USD and EUR).
    CurrencyCode {
    /// US dollars (ACE: `USD`).
    Usd => "USD",
    /// Euros (ACE: `EUR`).
    Eur => "EUR",
});

stored_enum!(
    /// What an ask asks AWS for.
    AskKind {
    /// Meet or align with the customer's stakeholders alongside AWS.
    StakeholderAlignment => "STAKEHOLDER_ALIGNMENT",
    /// Help buying through AWS Marketplace (a private offer, the customer's account).
    MarketplaceProcurement => "MARKETPLACE_PROCUREMENT",
    /// AWS funding: MAP, POC credits, partner acceleration or marketing funds.
    Funding => "FUNDING",
    /// An AWS solutions architect's review or design help.
    SolutionArchitecture => "SOLUTION_ARCHITECTURE",
});

stored_enum!(
    /// Where an ask stands; FULFILLED, DECLINED and WITHDRAWN are final.
    AskStatus {
    /// Raised by the partner; nobody on the AWS side has picked it up yet.
    Open => "OPEN",
    /// Seen by the AWS side (from OPEN only).
    Acknowledged => "ACKNOWLEDGED",
    /// Being worked by the AWS side (from ACKNOWLEDGED).
    InProgress => "IN_PROGRESS",
    /// Done, with a response (from IN_PROGRESS); final.
    Fulfilled => "FULFILLED",
    /// Refused, with a response (from IN_PROGRESS); final.
    Declined => "DECLINED",
    /// Taken back by the partner before it was resolved; final.
    Withdrawn => "WITHDRAWN",
});

stored_enum!(
    /// How urgent an ask is for the deal.
    AskPriority {
    /// Whenever convenient.
    Low => "LOW",
    /// The default.
    Normal => "NORMAL",
    /// Needed soon for the deal to progress.
    High => "HIGH",
    /// Blocking the deal now.
    Urgent => "URGENT",
});

stored_enum!(
    /// The AWS funding program a FUNDING ask is for.
    FundingProgram {
    /// The Migration Acceleration Program (MAP).
    MigrationAccelerationProgram => "MIGRATION_ACCELERATION_PROGRAM",
    /// AWS credits for a proof of concept.
    ProofOfConceptCredits => "PROOF_OF_CONCEPT_CREDITS",
    /// Partner Opportunity Acceleration (POA) funding.
    PartnerOpportunityAcceleration => "PARTNER_OPPORTUNITY_ACCELERATION",
    /// Marketing development funds (MDF).
    MarketingDevelopmentFunds => "MARKETING_DEVELOPMENT_FUNDS",
    /// Another program; name it in the ask's details.
    Other => "OTHER",
});

stored_enum!(
    /// The form AWS funding takes.
    FundingType {
    /// AWS promotional credits.
    Credits => "CREDITS",
    /// Cash funding.
    Cash => "CASH",
});

stored_enum!(
    /// Where a referral stands.
    ReferralStatus {
    /// Sent by AWS and not answered yet; past `expiresAt` it reads EXPIRED.
    Pending => "PENDING",
    /// Accepted by the partner: an AWS_REFERRAL opportunity was created from it.
    Accepted => "ACCEPTED",
    /// Rejected by the partner, with a reason.
    Rejected => "REJECTED",
    /// Not answered before `expiresAt`; it can no longer be accepted or rejected.
    Expired => "EXPIRED",
});

stored_enum!(
    /// Ascending or descending.
    SortDirection {
    /// Smallest (or earliest) first.
    Asc => "ASC",
    /// Largest (or latest) first.
    Desc => "DESC",
});

/// Reads a stored enum column; a value this server never writes is an internal fault.
pub fn decode<E: StoredEnum>(stored: &str) -> Result<E, crate::error::AppError> {
    E::parse(stored).ok_or_else(|| {
        crate::error::AppError::internal(format!("stored {} has unknown value {stored:?}", E::NAME))
    })
}

impl AskPriority {
    /// Sort key stored beside the priority, so ordering by priority is an index scan.
    pub fn rank(self) -> i16 {
        match self {
            AskPriority::Low => 0,
            AskPriority::Normal => 1,
            AskPriority::High => 2,
            AskPriority::Urgent => 3,
        }
    }
}

stored_enum!(
    /// The readiness checks an opportunity must pass before it is submitted.
    ReadinessCheckName {
    /// The customer agreed to the opportunity being shared with AWS.
    CustomerConsent => "CUSTOMER_CONSENT",
    /// Origin is PARTNER_REFERRAL and `partnerLed` is true.
    PartnerOriginatedAndLed => "PARTNER_ORIGINATED_AND_LED",
    /// The stage is active (not LAUNCHED or CLOSED_LOST) and the target close date is set and not past.
    ActiveWithTargetCloseDate => "ACTIVE_WITH_TARGET_CLOSE_DATE",
    /// The business is new for AWS.
    NetNewForAws => "NET_NEW_FOR_AWS",
    /// Title; business problem of 20 to 2,000 characters; use case, delivery models, expected spend above 0 and a solution.
    ClearProjectDescription => "CLEAR_PROJECT_DESCRIPTION",
    /// Past the first contact: stage QUALIFIED or later and a sales activity past INITIALIZED_DISCUSSIONS_WITH_CUSTOMER.
    SpecificDetails => "SPECIFIC_DETAILS",
    /// No other open opportunity of the partner for the same customer with the same normalised title.
    NotDuplicate => "NOT_DUPLICATE",
    /// For a partner connected to ACE: a solution imported from ACE is associated (ACE accepts only its own).
    AceSolutionLinked => "ACE_SOLUTION_LINKED",
});

impl Stage {
    /// LAUNCHED and CLOSED_LOST are final.
    pub fn is_terminal(self) -> bool {
        matches!(self, Stage::Launched | Stage::ClosedLost)
    }
}

impl ReviewStatus {
    /// Past PENDING_SUBMISSION: shared with AWS.
    pub fn is_submitted(self) -> bool {
        self != ReviewStatus::PendingSubmission
    }
}

/// The GraphQL spelling of an enum value (`TECHNICAL_VALIDATION`), for messages.
pub fn api_name<E: async_graphql::resolver_utils::EnumType + PartialEq + Copy>(
    e: E,
) -> &'static str {
    E::items()
        .iter()
        .find(|item| item.value == e)
        .map(|item| item.name)
        .unwrap_or("UNKNOWN")
}

stored_enum!(
    /// What a change-log entry records (`Change.action`), stored as its name.
    ChangeAction {
        /// The object was created.
        Created => "CREATED",
        /// Fields changed (`changes` lists them).
        Updated => "UPDATED",
        /// Only the partner's internal notes changed; never shown to the AWS side.
        NotesUpdated => "NOTES_UPDATED",
        /// The opportunity moved to another stage.
        StageChanged => "STAGE_CHANGED",
        /// The opportunity was shared with AWS.
        Submitted => "SUBMITTED",
        /// AWS reviewed the opportunity (a review decision or an ACE review).
        Reviewed => "REVIEWED",
        /// A solution was associated.
        SolutionAssociated => "SOLUTION_ASSOCIATED",
        /// A solution was disassociated.
        SolutionDisassociated => "SOLUTION_DISASSOCIATED",
        /// A customer contact was added.
        ContactAdded => "CONTACT_ADDED",
        /// A customer contact was removed.
        ContactRemoved => "CONTACT_REMOVED",
        /// The ask was assigned to someone.
        Assigned => "ASSIGNED",
        /// The ask or referral changed status.
        StatusChanged => "STATUS_CHANGED",
        /// A comment was added to the ask.
        Commented => "COMMENTED",
        /// The referral was accepted.
        Accepted => "ACCEPTED",
        /// The referral was rejected.
        Rejected => "REJECTED",
        /// The object was deleted (a customer reference).
        Deleted => "DELETED",
        /// The ask's due date passed while it was open (recorded once per due date).
        Overdue => "OVERDUE",
        /// ACE took the latest change (`aceSync.status` SYNCED).
        AceSynced => "ACE_SYNCED",
        /// ACE refused the change, or it could not be sent (`aceSync.status` FAILED).
        AceSyncFailed => "ACE_SYNC_FAILED",
        /// The object changed on both sides (`aceSync.status` CONFLICT).
        AceConflict => "ACE_CONFLICT",
    }
);

/// What an AWS-side reviewer decides.
#[derive(async_graphql::Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ReviewDecision {
    /// SUBMITTED → IN_REVIEW: a reviewer takes it up.
    StartReview,
    /// IN_REVIEW → APPROVED: AWS will co-sell or track it.
    Approve,
    /// IN_REVIEW → REJECTED, with a `reason`; final.
    Reject,
    /// IN_REVIEW → ACTION_REQUIRED, with `comments` saying what to fix; the partner edits the
    /// allowed fields and submits again.
    RequestAction,
}

/// How an opportunity ends.
#[derive(async_graphql::Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum CloseOutcome {
    /// The customer went live on AWS (stage LAUNCHED); final.
    Launched,
    /// The deal was lost (stage CLOSED_LOST, with a `closedLostReason`); final.
    ClosedLost,
}

stored_enum!(
    /// What a webhook subscribes to: the events of one kind of object.
    EventTopic {
    /// Opportunity events (created, updated, stage changes, submission, review, ACE sync).
    Opportunity => "OPPORTUNITY",
    /// Ask events (created, assigned, status changes, comments, OVERDUE).
    Ask => "ASK",
    /// Referral events (received, accepted, rejected, expired).
    Referral => "REFERRAL",
});

impl EventTopic {
    /// The topic of a history entity type (`Opportunity`), if webhooks carry it.
    pub fn of_entity(entity_type: &str) -> Option<EventTopic> {
        match entity_type {
            "Opportunity" => Some(EventTopic::Opportunity),
            "Ask" => Some(EventTopic::Ask),
            "Referral" => Some(EventTopic::Referral),
            _ => None,
        }
    }
}

stored_enum!(
    /// Where a webhook delivery stands.
    WebhookDeliveryStatus {
    /// Not delivered yet: waiting for its first attempt or for a retry (`nextAttemptAt`).
    Pending => "PENDING",
    /// The receiver answered with a 2xx status.
    Delivered => "DELIVERED",
    /// Every attempt failed for the retry window (24 hours); no more attempts.
    Failed => "FAILED",
});
