// What a feature family is (DOMAIN.md section 3): a few features of the as-of year T worked out
// by one SQL query over named sources, one row per member of the population, with the names and
// meanings of its columns. schema.ts lists the families in column order; build-features.ts joins
// their queries into the feature table.

/** One feature: its column name and what it means. */
export interface FeatureDefinition {
  name: string;
  meaning: string;
}

/**
 * The relations a family's query reads, as SQL text (a table or view name, a CTE, or
 * `read_parquet('...')`), the as-of year and the data cut-off. Every source holds data dated before
 * January 1 of T and known on the cut-off, or is filtered to it by the families.
 */
export interface FeatureSources {
  /** The as-of year T. */
  asOf: number;
  /**
   * The data cut-off (YYYY-MM-DD, default January 1 of T): the families see only claims received
   * by then (data/received-by.ts), and `history`, `hcc`, `rateHistory` and `rateHcc` are the
   * history as known on that date (known-history.ts).
   */
  dataThrough: string;
  /** The contract's members (member_id, birth_date, sex, orec, death_date). */
  members: string;
  /** The contract's enrollment (member_id, year, months_enrolled, dual_status, institutional, ...). */
  enrollment: string;
  /** The contract's claims (member_id, claim_type, from_date, thru_date, paid_amount, diagnosis_codes, ...). */
  claims: string;
  /** raf_history.parquet of `rafcast history`: one row per member and service year. */
  history: string;
  /** raf_hcc.parquet: one row per member, service year, model and HCC. */
  hcc: string;
  /** The history the HCC recapture rates come from (the whole plan's, for a shard). */
  rateHistory: string;
  /** The raf_hcc of the same history. */
  rateHcc: string;
  /** ICD-10-CM code to V28 condition category (dx VARCHAR, cc INTEGER), of the tables for payment year T. */
  dxCc: string;
  /** The members with a feature row (population.ts). */
  population: string;
  /** The claims of T-1 with the condition categories they map to (claim-ccs.ts). */
  claimCcs: string;
  /** Where the membership of T comes from (population.ts); unset: the enrollment decides. */
  enrollmentOfAsOf?: 'data' | 'assumed';
  /** The contract's optional pharmacy fills (data/contract.ts PHARMACY), when the plan has them. */
  pharmacy?: string;
  /** The contract's optional lab results (data/contract.ts LABS), when the plan has them. */
  labs?: string;
  /** Each V28 payment HCC's factor the evidence features sum (hcc INTEGER, factor DOUBLE; evidence.ts). */
  suspectFactors: string;
}

export interface FeatureFamily {
  /** The name of the family's query in the assembled one (a SQL identifier). */
  name: string;
  /** Its features, in column order; `ccs` are the schema's condition categories (schema.ts). */
  definitions: (ccs: readonly number[]) => FeatureDefinition[];
  /**
   * A SELECT of member_id and the features in the order of `definitions`, each a DOUBLE, with
   * exactly one row per member of `src.population`.
   */
  sql: (src: FeatureSources, ccs: readonly number[]) => string;
}
