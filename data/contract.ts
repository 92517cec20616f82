// The input contract (data/README.md): the three files a health plan hands rafcast (members,
// enrollment, claims) and five optional ones (pharmacy, labs, providers: issue 17; participants and
// voluntary_alignment, for ACO REACH alignment: issue 19), each field's
// type, meaning and check. One definition serves validation
// (as DuckDB SQL, so ten million rows are checked without a JavaScript object per row), the
// typed tables loaded from it, and the documentation, which a test holds to this file.

export type FieldType =
  | 'id'
  | 'date'
  | 'int'
  | 'amount'
  | 'enum'
  | 'bool'
  | 'icd10cm-list'
  | 'cpt-hcpcs-list'
  | 'modifier-list'
  | 'bill-type'
  | 'npi'
  | 'ndc'
  | 'atc'
  | 'loinc'
  | 'decimal'
  | 'tin'
  | 'specialty'
  | 'text';

export interface FieldSpec {
  name: string;
  type: FieldType;
  required: boolean;
  meaning: string;
  example: string;
  /** enum: the accepted values (matched without regard to case, stored as written here). */
  values?: readonly string[];
  /** enum: other spellings accepted, each stored as the value it names (sex: CMS's 1 and 2 for M and F). */
  aliases?: Readonly<Record<string, string>>;
  min?: number;
  max?: number;
  /** True for member identifiers: their values never appear in a reason. */
  phi?: boolean;
  /** An optional field's value when it is blank or its column is absent (stored as such). */
  default?: string;
  /** date: the dates accepted (DATE_RANGES); every date field names one. */
  dates?: DateRange;
}

/** A range of accepted dates, ISO YYYY-MM-DD, inclusive, and why those bounds. */
export interface DateRange {
  earliest: string;
  latest: string;
  why: string;
}

/** The files every plan gives. */
export type RequiredTableName = 'members' | 'enrollment' | 'claims';
/** The files a plan may give (issue 17): an absent one means its evidence is not available, never an error. */
export type OptionalTableName = EvidenceTableName | AlignmentTableName;
/** The optional files of issue 17: evidence for suspects and the provider view. */
export type EvidenceTableName = 'pharmacy' | 'labs' | 'providers';
/** The optional files of issue 19: an ACO REACH entity's providers and its voluntary alignments. */
export type AlignmentTableName = 'participants' | 'voluntary_alignment';
export type TableName = RequiredTableName | OptionalTableName;

/** In load order: members first (the others are checked against it). */
export const REQUIRED_TABLES: readonly RequiredTableName[] = ['members', 'enrollment', 'claims'];
export const EVIDENCE_TABLES: readonly EvidenceTableName[] = ['pharmacy', 'labs', 'providers'];
export const ALIGNMENT_TABLES: readonly AlignmentTableName[] = ['participants', 'voluntary_alignment'];
export const OPTIONAL_TABLES: readonly OptionalTableName[] = [...EVIDENCE_TABLES, ...ALIGNMENT_TABLES];

export interface TableSpec {
  name: TableName;
  meaning: string;
  fields: readonly FieldSpec[];
  /** Fields whose values must be unique together. */
  key: readonly string[];
  /** Fields that must name a member of the members file. */
  referencesMembers: boolean;
  /** Checks across fields, applied after each field's own: SQL on the typed values. */
  crossChecks: readonly { field: string; badWhen: string; reason: string }[];
  /**
   * Checks against the row's member in the members file, applied last: SQL on the row's typed
   * values (as `t.<field>`) and the member's (as `m.<field>`).
   */
  memberChecks?: readonly { field: string; badWhen: string; reason: string }[];
  /** List fields that may also come as numbered columns: diagnosis_codes as dx1, dx2, ... */
  wideLists?: Readonly<Record<string, string>>;
}

/**
 * The dates each kind of date field accepts (issue 16): one place, read by the checks
 * (contract-field-checks.ts). A date outside is a typo or a placeholder (1899-12-31, 1900-01-01
 * and 9999-12-31 are common "unknown" values), never a fact to score on. Dates that depend on
 * other data (a claim before its member's birth) are the member checks' business (memberChecks).
 */
export const DATE_RANGES = {
  birth: {
    earliest: '1900-01-02',
    latest: '2100-12-31',
    why: 'no one born before 1900 is alive in the years CMS-HCC scores (it began in 2004; the score takes ages up to 125); 1900-01-01 is a placeholder',
  },
  service: {
    earliest: '2000-01-01',
    latest: '2100-12-31',
    why: 'CMS-HCC risk adjustment began in 2004 and DE-SynPUF, the oldest data rafcast reads, starts in 2008; a claim dated earlier is a typo or a placeholder',
  },
} as const satisfies Record<string, DateRange>;

export const MEMBERS: TableSpec = {
  name: 'members',
  meaning: 'one row per member: who they are and why they are entitled to Medicare',
  key: ['member_id'],
  referencesMembers: false,
  fields: [
    { name: 'member_id', type: 'id', required: true, phi: true, meaning: "the plan's member identifier", example: 'M000123' },
    { name: 'birth_date', type: 'date', required: true, dates: DATE_RANGES.birth, meaning: 'date of birth', example: '1951-03-14' },
    { name: 'sex', type: 'enum', required: true, values: ['M', 'F'], aliases: { '1': 'M', '2': 'F' }, meaning: "sex as CMS records it: M or F (or CMS's codes 1 and 2)", example: 'F' },
    {
      name: 'orec',
      type: 'enum',
      required: true,
      values: ['0', '1', '2', '3'],
      meaning: 'original reason for entitlement: 0 old age, 1 disability, 2 ESRD, 3 disability and ESRD',
      example: '0',
    },
    { name: 'death_date', type: 'date', required: false, dates: DATE_RANGES.birth, meaning: 'date of death, when the member died', example: '2024-08-02' },
  ],
  crossChecks: [{ field: 'death_date', badWhen: 'death_date < birth_date', reason: 'death_date is before birth_date' }],
};

export const ENROLLMENT: TableSpec = {
  name: 'enrollment',
  meaning: 'one row per member and calendar year enrolled',
  key: ['member_id', 'year'],
  referencesMembers: true,
  fields: [
    { name: 'member_id', type: 'id', required: true, phi: true, meaning: 'the member (in the members file)', example: 'M000123' },
    { name: 'year', type: 'int', required: true, min: 1990, max: 2100, meaning: 'calendar year', example: '2025' },
    { name: 'months_enrolled', type: 'int', required: true, min: 0, max: 12, meaning: 'months enrolled in the year', example: '12' },
    {
      name: 'dual_status',
      type: 'enum',
      required: true,
      values: ['none', 'partial', 'full'],
      meaning: 'Medicaid dual eligibility: none, partial or full benefit',
      example: 'full',
    },
    { name: 'institutional', type: 'bool', required: true, meaning: 'long-term institutional (90+ days) in the year', example: 'false' },
    { name: 'new_enrollee', type: 'bool', required: true, meaning: 'fewer than 12 months of Part B before the payment year', example: 'false' },
    { name: 'contract_id', type: 'text', required: false, meaning: 'MA contract or plan id', example: 'H1234-001' },
  ],
  crossChecks: [],
  memberChecks: [{ field: 'year', badWhen: 't.year < year(m.birth_date)', reason: "year is before the member's birth_date" }],
};

export const CLAIMS: TableSpec = {
  name: 'claims',
  meaning: 'one row per claim (header level, with its procedure and diagnosis codes)',
  key: ['claim_id'],
  referencesMembers: true,
  fields: [
    { name: 'claim_id', type: 'id', required: true, meaning: 'claim identifier, unique in the file', example: 'C0000001' },
    { name: 'member_id', type: 'id', required: true, phi: true, meaning: 'the member (in the members file)', example: 'M000123' },
    {
      name: 'claim_type',
      type: 'enum',
      required: true,
      values: ['professional', 'inpatient', 'outpatient'],
      meaning: 'professional (carrier), inpatient facility or outpatient facility',
      example: 'professional',
    },
    {
      name: 'bill_type',
      type: 'bill-type',
      required: false,
      meaning: 'UB-04 type of bill, 3 digits (a leading 0 is dropped): facility claims only',
      example: '131',
    },
    { name: 'from_date', type: 'date', required: true, dates: DATE_RANGES.service, meaning: 'first date of service', example: '2025-02-03' },
    { name: 'thru_date', type: 'date', required: true, dates: DATE_RANGES.service, meaning: 'last date of service', example: '2025-02-03' },
    {
      name: 'procedure_codes',
      type: 'cpt-hcpcs-list',
      required: false,
      meaning: 'CPT/HCPCS codes of the lines, "|"-separated in CSV, a list in Parquet',
      example: '99214|83036',
    },
    {
      name: 'procedure_modifiers',
      type: 'modifier-list',
      required: false,
      meaning:
        'modifiers on the lines (2 letters or digits each), "|"-separated in CSV, a list in Parquet; 93 or FQ on any line marks an audio-only encounter',
      example: '93',
    },
    {
      name: 'diagnosis_codes',
      type: 'icd10cm-list',
      required: true,
      meaning: 'ICD-10-CM codes in claim order (principal first), "|"-separated, a list, or columns dx1..dxN',
      example: 'E11.22|I50.22',
    },
    { name: 'paid_amount', type: 'amount', required: true, min: 0, meaning: 'amount paid by the plan, US dollars', example: '182.40' },
    { name: 'rendering_npi', type: 'npi', required: false, meaning: "rendering provider's NPI (10 digits)", example: '1234567893' },
    {
      name: 'billing_tin',
      type: 'tin',
      required: false,
      meaning:
        "the billing practice's TIN, 9 digits (a dash is dropped); ACO REACH alignment credits a service to a participant when the TIN and the NPI together are on the participant list. Blank or absent: the NPI alone is matched",
      example: '123456789',
    },
    {
      name: 'record_source',
      type: 'enum',
      required: false,
      values: ['encounter', 'chart_review_linked', 'chart_review_unlinked'],
      default: 'encounter',
      meaning:
        'what the record is: an encounter (a service), or a chart review record linked to an encounter or not linked to one; blank or absent: encounter',
      example: 'chart_review_linked',
    },
    {
      name: 'received_date',
      type: 'date',
      required: false,
      dates: DATE_RANGES.service,
      meaning:
        'the date the plan received the claim; a run with a data cut-off (--data-through) sees only claims received by then. Blank or absent: not known, and the claim counts as received on its thru_date (data/received-by.ts)',
      example: '2025-03-04',
    },
  ],
  crossChecks: [
    { field: 'thru_date', badWhen: 'thru_date < from_date', reason: 'thru_date is before from_date' },
    { field: 'received_date', badWhen: 'received_date < thru_date', reason: 'received_date is before thru_date (a claim is received after its service)' },
    {
      field: 'bill_type',
      badWhen: "claim_type <> 'professional' AND bill_type IS NULL",
      reason: 'a facility claim needs a bill_type',
    },
    {
      field: 'bill_type',
      badWhen: "claim_type = 'professional' AND bill_type IS NOT NULL",
      reason: 'a professional claim has no bill_type',
    },
  ],
  memberChecks: [{ field: 'from_date', badWhen: 't.from_date < m.birth_date', reason: "from_date is before the member's birth_date" }],
  wideLists: { diagnosis_codes: 'dx' },
};

export const PHARMACY: TableSpec = {
  name: 'pharmacy',
  meaning: 'one row per prescription fill (optional file)',
  key: ['fill_id'],
  referencesMembers: true,
  fields: [
    { name: 'fill_id', type: 'id', required: true, meaning: 'prescription fill identifier, unique in the file', example: 'F0000001' },
    { name: 'member_id', type: 'id', required: true, phi: true, meaning: 'the member (in the members file)', example: 'M000123' },
    { name: 'fill_date', type: 'date', required: true, dates: DATE_RANGES.service, meaning: 'date the prescription was filled', example: '2025-02-10' },
    {
      name: 'received_date',
      type: 'date',
      required: false,
      dates: DATE_RANGES.service,
      meaning: 'date the plan received the claim; blank or absent: known at fill_date',
      example: '2025-02-10',
    },
    { name: 'ndc', type: 'ndc', required: false, meaning: 'National Drug Code, 11 digits (dashes are dropped: 00002-8215-01 -> 00002821501)', example: '00002821501' },
    {
      name: 'atc_code',
      type: 'atc',
      required: false,
      meaning: "WHO ATC class of the drug, level 3 to 5 (A10A, A10AE, A10AE04), stored upper-case; the suspect rules match on it, by prefix",
      example: 'A10AE04',
    },
    { name: 'days_supply', type: 'int', required: true, min: 1, max: 365, meaning: "days' supply", example: '30' },
    { name: 'paid_amount', type: 'amount', required: true, min: 0, meaning: 'amount paid, US dollars', example: '42.17' },
    { name: 'prescriber_npi', type: 'npi', required: false, meaning: "prescriber's NPI (10 digits)", example: '1234567893' },
  ],
  crossChecks: [
    { field: 'atc_code', badWhen: 'ndc IS NULL AND atc_code IS NULL', reason: 'a fill needs an ndc or an atc_code' },
    { field: 'received_date', badWhen: 'received_date < fill_date', reason: 'received_date is before fill_date' },
  ],
  memberChecks: [{ field: 'fill_date', badWhen: 't.fill_date < m.birth_date', reason: "fill_date is before the member's birth_date" }],
};

export const LABS: TableSpec = {
  name: 'labs',
  meaning: 'one row per lab result or measurement (optional file)',
  key: ['result_id'],
  referencesMembers: true,
  fields: [
    { name: 'result_id', type: 'id', required: true, meaning: 'lab result identifier, unique in the file', example: 'L0000001' },
    { name: 'member_id', type: 'id', required: true, phi: true, meaning: 'the member (in the members file)', example: 'M000123' },
    { name: 'result_date', type: 'date', required: true, dates: DATE_RANGES.service, meaning: 'date of the specimen or measurement', example: '2025-03-04' },
    {
      name: 'received_date',
      type: 'date',
      required: false,
      dates: DATE_RANGES.service,
      meaning: 'date the plan received the result; blank or absent: known at result_date',
      example: '2025-03-06',
    },
    { name: 'loinc', type: 'loinc', required: true, meaning: 'LOINC code: digits, a dash, the check digit', example: '33914-3' },
    { name: 'value', type: 'decimal', required: true, meaning: 'the numeric result', example: '38.5' },
    { name: 'unit', type: 'text', required: true, meaning: 'the unit as reported (mL/min/1.73m2, %, kg/m2, ...)', example: 'mL/min/1.73m2' },
    { name: 'ordering_npi', type: 'npi', required: false, meaning: "ordering provider's NPI (10 digits)", example: '1234567893' },
  ],
  crossChecks: [{ field: 'received_date', badWhen: 'received_date < result_date', reason: 'received_date is before result_date' }],
  memberChecks: [{ field: 'result_date', badWhen: 't.result_date < m.birth_date', reason: "result_date is before the member's birth_date" }],
};

export const PROVIDERS: TableSpec = {
  name: 'providers',
  meaning: 'one row per clinician or facility NPI (optional file)',
  key: ['npi'],
  referencesMembers: false,
  fields: [
    { name: 'npi', type: 'npi', required: true, meaning: "the clinician's (or facility's) NPI (10 digits)", example: '1234567893' },
    { name: 'name', type: 'text', required: true, meaning: 'display name', example: 'Dr. A. Rivera' },
    {
      name: 'specialty',
      type: 'specialty',
      required: true,
      meaning: 'CMS Medicare provider specialty code, 2 letters or digits (08 family practice, 11 internal medicine, A0 hospital), stored upper-case',
      example: '08',
    },
    { name: 'tin', type: 'tin', required: true, meaning: 'practice tax identification number, 9 digits (a dash is dropped: 12-3456789 -> 123456789)', example: '123456789' },
    { name: 'practice_name', type: 'text', required: false, meaning: 'practice display name', example: 'Lakeside Family Medicine' },
    {
      name: 'partner',
      type: 'bool',
      required: false,
      default: 'false',
      meaning: 'the practice partners with the plan; blank or absent: false',
      example: 'true',
    },
  ],
  crossChecks: [],
};

export const PARTICIPANTS: TableSpec = {
  name: 'participants',
  meaning: "one row per TIN and NPI on an ACO REACH entity's participant or preferred provider list, for a span of dates (optional file)",
  key: ['tin', 'npi', 'start_date'],
  referencesMembers: false,
  fields: [
    { name: 'tin', type: 'tin', required: true, meaning: "the practice's TIN, 9 digits (a dash is dropped: 12-3456789 -> 123456789)", example: '123456789' },
    { name: 'npi', type: 'npi', required: true, meaning: "the clinician's NPI (10 digits), billing under that TIN", example: '1234567893' },
    {
      name: 'provider_type',
      type: 'enum',
      required: true,
      values: ['participant', 'preferred'],
      meaning: 'participant (its services align beneficiaries) or preferred (it serves them, it does not align them)',
      example: 'participant',
    },
    { name: 'start_date', type: 'date', required: true, dates: DATE_RANGES.service, meaning: 'first day on the list', example: '2024-01-01' },
    { name: 'end_date', type: 'date', required: false, dates: DATE_RANGES.service, meaning: 'last day on the list; blank or absent: still on it', example: '2026-12-31' },
  ],
  crossChecks: [{ field: 'end_date', badWhen: 'end_date < start_date', reason: 'end_date is before start_date' }],
};

export const VOLUNTARY_ALIGNMENT: TableSpec = {
  name: 'voluntary_alignment',
  meaning: 'one row per designation a beneficiary signed: the clinician they chose as their main source of care (optional file)',
  key: ['member_id', 'signed_date'],
  referencesMembers: true,
  fields: [
    { name: 'member_id', type: 'id', required: true, phi: true, meaning: 'the beneficiary (in the members file)', example: 'M000123' },
    { name: 'npi', type: 'npi', required: true, meaning: "the designated clinician's NPI (10 digits)", example: '1234567893' },
    { name: 'signed_date', type: 'date', required: true, dates: DATE_RANGES.service, meaning: 'the date the beneficiary signed (or chose on Medicare.gov)', example: '2025-05-12' },
  ],
  crossChecks: [],
  memberChecks: [{ field: 'signed_date', badWhen: 't.signed_date < m.birth_date', reason: "signed_date is before the member's birth_date" }],
};

export const CONTRACT: Readonly<Record<TableName, TableSpec>> = {
  members: MEMBERS,
  enrollment: ENROLLMENT,
  claims: CLAIMS,
  pharmacy: PHARMACY,
  labs: LABS,
  providers: PROVIDERS,
  participants: PARTICIPANTS,
  voluntary_alignment: VOLUNTARY_ALIGNMENT,
};

/** The SQL type a field is stored as once accepted. */
export function sqlType(f: FieldSpec): string {
  switch (f.type) {
    case 'date':
      return 'DATE';
    case 'int':
      return 'INTEGER';
    case 'amount':
      return 'DECIMAL(14,2)';
    case 'decimal':
      return 'DOUBLE';
    case 'bool':
      return 'BOOLEAN';
    case 'icd10cm-list':
    case 'cpt-hcpcs-list':
    case 'modifier-list':
      return 'VARCHAR[]';
    default:
      return 'VARCHAR';
  }
}
