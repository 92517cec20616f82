// The input contract's optional files (data/README.md): pharmacy, labs and providers (issue 17)
// and participants and voluntary_alignment (ACO REACH alignment, issue 19), each field's type,
// meaning and check. CONTRACT (contract.ts) lists them with the required files.
import type { TableSpec } from './contract.ts';
import { DATE_RANGES } from './date-ranges.ts';

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
