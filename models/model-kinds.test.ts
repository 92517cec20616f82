import { describe, expect, it } from 'vitest';
import { DEFAULT_MODELS, modelsInWords } from './model-kinds.ts';

describe('modelsInWords', () => {
  it('joins the models as a sentence says them, the MLP in capitals', () => {
    expect(modelsInWords(DEFAULT_MODELS)).toBe('gbdt, MLP and logistic');
    expect(modelsInWords(['mlp', 'logistic'])).toBe('MLP and logistic');
    expect(modelsInWords(['logistic'])).toBe('logistic');
    expect(modelsInWords([])).toBe('no model');
  });
});
