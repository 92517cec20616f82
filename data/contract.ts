// The input contract (data/README.md): the three files a health plan hands rafcast (members,
// enrollment, claims) and five optional ones (pharmacy, labs, providers: issue 17; participants and
// voluntary_alignment, for ACO REACH alignment: issue 19), each field's
// type, meaning and check. One definition serves validation
// (as DuckDB SQL, so ten million rows are checked without a JavaScript object per row), the
// typed tables loaded from it, and the documentation, which a test holds to this file.

import { DATE_RANGES, type DateRange } from './date-ranges.ts';
import { LABS, PARTICIPANTS, PHARMACY, PROVIDERS, VOLUNTARY_ALIGNMENT } from './contract-optional.ts';

export { DATE_RANGES, type DateRange };
export { LABS, PARTICIPANTS, PHARMACY, PROVIDERS, VOLUNTARY_ALIGNMENT };

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
