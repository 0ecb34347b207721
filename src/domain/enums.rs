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
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $s:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

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

stored_enum!(Role {
    PartnerUser => "PARTNER_USER",
    PartnerAdmin => "PARTNER_ADMIN",
    AwsSeller => "AWS_SELLER",
    PartnerManager => "PARTNER_MANAGER",
    Admin => "ADMIN",
});

stored_enum!(SegmentGroup { Commercial => "COMMERCIAL", PublicSector => "PUBLIC_SECTOR" });

stored_enum!(SegmentCode {
    DigitalNativeBusiness => "DIGITAL_NATIVE_BUSINESS",
    Enterprise => "ENTERPRISE",
    Isv => "ISV",
    Startup => "STARTUP",
    Smb => "SMB",
    Government => "GOVERNMENT",
    Education => "EDUCATION",
    Nonprofit => "NONPROFIT",
    Healthcare => "HEALTHCARE",
});

stored_enum!(AwsAdoption { Engaged => "ENGAGED", Greenfield => "GREENFIELD" });

stored_enum!(SolutionStatus { Active => "Active", Inactive => "Inactive", Draft => "Draft" });

stored_enum!(SolutionCategory {
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

stored_enum!(Stage {
    Prospect => "Prospect",
    Qualified => "Qualified",
    TechnicalValidation => "Technical Validation",
    BusinessValidation => "Business Validation",
    Committed => "Committed",
    Launched => "Launched",
    ClosedLost => "Closed Lost",
});

stored_enum!(ReviewStatus {
    PendingSubmission => "Pending Submission",
    Submitted => "Submitted",
    InReview => "In review",
    Approved => "Approved",
    Rejected => "Rejected",
    ActionRequired => "Action Required",
});

stored_enum!(Origin { PartnerReferral => "Partner Referral", AwsReferral => "AWS Referral" });

stored_enum!(OpportunityType {
    NetNewBusiness => "Net New Business",
    FlatRenewal => "Flat Renewal",
    Expansion => "Expansion",
});

stored_enum!(InvolvementType { ForVisibilityOnly => "For Visibility Only", CoSell => "Co-Sell" });

stored_enum!(Industry {
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

stored_enum!(DeliveryModel {
    SaasOrPaas => "SaaS or PaaS",
    ByolOrAmi => "BYOL or AMI",
    ManagedServices => "Managed Services",
    ProfessionalServices => "Professional Services",
    Resell => "Resell",
    Other => "Other",
});

stored_enum!(PrimaryNeed {
    ArchitecturalValidation => "Co-Sell - Architectural Validation",
    BusinessPresentation => "Co-Sell - Business Presentation",
    CompetitiveInformation => "Co-Sell - Competitive Information",
    PricingAssistance => "Co-Sell - Pricing Assistance",
    TechnicalConsultation => "Co-Sell - Technical Consultation",
    TotalCostOfOwnershipEvaluation => "Co-Sell - Total Cost of Ownership Evaluation",
    DealSupport => "Co-Sell - Deal Support",
    SupportForPublicTenderRfx => "Co-Sell - Support for Public Tender / RFx",
});

stored_enum!(SalesActivity {
    InitializedDiscussionsWithCustomer => "Initialized discussions with customer",
    CustomerHasShownInterestInSolution => "Customer has shown interest in solution",
    ConductedPocDemo => "Conducted POC / Demo",
    InEvaluationPlanningStage => "In evaluation / planning stage",
    AgreedOnSolutionToBusinessProblem => "Agreed on solution to Business Problem",
    CompletedActionPlan => "Completed Action Plan",
    FinalizedDeploymentNeed => "Finalized Deployment Need",
    SowSigned => "SOW Signed",
});

stored_enum!(CompetitorName {
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

stored_enum!(ClosedLostReason {
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

stored_enum!(MarketingSource { MarketingActivity => "Marketing Activity", None => "None" });

stored_enum!(Channel {
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

stored_enum!(CurrencyCode { Usd => "USD", Eur => "EUR" });

stored_enum!(AskKind {
    StakeholderAlignment => "STAKEHOLDER_ALIGNMENT",
    MarketplaceProcurement => "MARKETPLACE_PROCUREMENT",
    Funding => "FUNDING",
    SolutionArchitecture => "SOLUTION_ARCHITECTURE",
});

stored_enum!(AskStatus {
    Open => "OPEN",
    Acknowledged => "ACKNOWLEDGED",
    InProgress => "IN_PROGRESS",
    Fulfilled => "FULFILLED",
    Declined => "DECLINED",
    Withdrawn => "WITHDRAWN",
});

stored_enum!(AskPriority { Low => "LOW", Normal => "NORMAL", High => "HIGH", Urgent => "URGENT" });

stored_enum!(FundingProgram {
    MigrationAccelerationProgram => "MIGRATION_ACCELERATION_PROGRAM",
    ProofOfConceptCredits => "PROOF_OF_CONCEPT_CREDITS",
    PartnerOpportunityAcceleration => "PARTNER_OPPORTUNITY_ACCELERATION",
    MarketingDevelopmentFunds => "MARKETING_DEVELOPMENT_FUNDS",
    Other => "OTHER",
});

stored_enum!(FundingType { Credits => "CREDITS", Cash => "CASH" });

stored_enum!(ReferralStatus {
    Pending => "PENDING",
    Accepted => "ACCEPTED",
    Rejected => "REJECTED",
    Expired => "EXPIRED",
});

stored_enum!(SortDirection { Asc => "ASC", Desc => "DESC" });

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

stored_enum!(ReadinessCheckName {
    CustomerConsent => "CUSTOMER_CONSENT",
    PartnerOriginatedAndLed => "PARTNER_ORIGINATED_AND_LED",
    ActiveWithTargetCloseDate => "ACTIVE_WITH_TARGET_CLOSE_DATE",
    NetNewForAws => "NET_NEW_FOR_AWS",
    ClearProjectDescription => "CLEAR_PROJECT_DESCRIPTION",
    SpecificDetails => "SPECIFIC_DETAILS",
    NotDuplicate => "NOT_DUPLICATE",
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
        Created => "CREATED",
        Updated => "UPDATED",
        NotesUpdated => "NOTES_UPDATED",
        StageChanged => "STAGE_CHANGED",
        Submitted => "SUBMITTED",
        Reviewed => "REVIEWED",
        SolutionAssociated => "SOLUTION_ASSOCIATED",
        SolutionDisassociated => "SOLUTION_DISASSOCIATED",
        ContactAdded => "CONTACT_ADDED",
        ContactRemoved => "CONTACT_REMOVED",
        Assigned => "ASSIGNED",
        StatusChanged => "STATUS_CHANGED",
        Commented => "COMMENTED",
        Accepted => "ACCEPTED",
        Rejected => "REJECTED",
        Deleted => "DELETED",
    }
);

#[derive(async_graphql::Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ReviewDecision {
    StartReview,
    Approve,
    Reject,
    RequestAction,
}

#[derive(async_graphql::Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum CloseOutcome {
    Launched,
    ClosedLost,
}
