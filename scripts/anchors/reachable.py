"""What features dated before T can reach at all (issue 15: "show why with measurements").

A yardstick, not part of rafcast (nothing in the project runs or imports it). On one plan at as-of
T it fits XGBoost *on the backtest year itself*, cross-fitted over 3 folds (each member scored by
a model that never saw them), from T's feature table (everything rafcast knows on the cut-off):
  - a classifier of the top 20% of RAF_T: the precision at 20% a learner reaches when the year
    it is trained on is the year it is judged on (no year-to-year shift; 2/3 of the year's rows, about as many as a training year holds);
  - regressors of each member's true dollars (accelerated, incremental and their sum, the
    evaluation's members.csv): the dollars of the top 20% they rank, against the naive list's.
A model trained at T-1 and applied at T (rafcast's) can only do worse than these, up to noise;
so a goal above them is out of reach of these features, whatever the learner.

Needs Debian's python3-xgboost, python3-pandas, python3-sklearn (see ../shared/anchors/xgboost).
Usage: /usr/bin/python3 scripts/anchors/reachable.py FEATURES_T.csv MEMBERS.csv SCHEMA.json
  FEATURES_T.csv: `node ../shared/anchors/xgboost/export-features.mjs FEATURES_T.parquet HISTORY.parquet T OUT.csv`
  MEMBERS.csv: the evaluation's members.csv (`rafcast evaluate`, or the bench's quality runs)
"""
import json, sys
import numpy as np, pandas as pd, xgboost as xgb
from sklearn.model_selection import KFold

features_csv, members_csv, schema_json = sys.argv[1:4]
schema = json.load(open(schema_json)); names = schema.get('names') or schema['schema']['names']
f = pd.read_csv(features_csv, dtype={'member_id': str})
m = pd.read_csv(members_csv, dtype={'member_id': str})
d = f.merge(m[['member_id', 'raf_t', 'accelerated', 'incremental', 'in_naive', 'in_model', 'in_dollars', 'in_ceiling']], on='member_id')
if len(d) != len(f): sys.exit(f'{members_csv} lists {len(d)} of the {len(f)} members: evaluate with --all-members')
d = d[d['raf_t'].notna()].sort_values('member_id').reset_index(drop=True)
# A member with no RAF_{T+1} (died, left) has no measurable gap: no incremental dollars.
d['incremental'] = d['incremental'].fillna(0)
X = d[names].to_numpy(np.float32)
n = len(d); k = int(round(0.2 * n))

def top(scores):
    order = np.lexsort((np.arange(n), -np.asarray(scores, np.float64)))
    return order[:k]

raf = d['raf_t'].to_numpy(np.float64)
y = np.zeros(n); y[top(raf)] = 1

def crossfit(target, objective):
    p = np.zeros(n)
    params = dict(objective=objective, tree_method='hist', max_depth=6, eta=0.05, subsample=0.8, colsample_bytree=0.8, nthread=2, seed=7)
    for fit, held in KFold(3, shuffle=True, random_state=7).split(X):
        inner = np.arange(len(fit)); np.random.default_rng(7).shuffle(inner); cut = int(0.8 * len(fit))
        a, b = fit[inner[:cut]], fit[inner[cut:]]
        bst = xgb.train(params, xgb.DMatrix(X[a], label=target[a]), 1000, evals=[(xgb.DMatrix(X[b], label=target[b]), 'v')], early_stopping_rounds=50, verbose_eval=False)
        p[held] = bst.predict(xgb.DMatrix(X[held]), iteration_range=(0, bst.best_iteration + 1))
    return p

acc = d['accelerated'].to_numpy(np.float64); inc = d['incremental'].to_numpy(np.float64)
def dollars(idx): return acc[idx].sum(), inc[idx].sum()
# Every list here is the top 20% of the members with a RAF_T, ranked by a score (ties by member id).
# The naive list ranks by RAF_{T-1}, members new in T last.
naive_idx = top(d['raf_t1'].fillna(-1).to_numpy(np.float64))
na, ni = dollars(naive_idx)
print(f"members with RAF_T {n}, lists of {k}; naive list: precision {y[naive_idx].mean():.4f}, accelerated ${na:,.0f}, incremental ${ni:,.0f}")
# rafcast's lists as its evaluation made them (over every member at T), their members' dollars.
for name in ['naive', 'model', 'dollars', 'ceiling']:
    idx = np.flatnonzero(d[f'in_{name}'].astype(str).str.lower() == 'true')
    a, i = dollars(idx)
    print(f"rafcast {name:8s} list as evaluated ({len(idx)} members with RAF_T): precision {y[idx].mean():.4f}, accelerated {a / na:.2f}x naive, incremental {i / ni:.2f}x naive")
p = crossfit(y, 'binary:logistic')
print(f"in-year XGBoost classifier (cross-fitted): precision {y[top(p)].mean():.4f}")
for label, target in [('incremental', inc), ('accelerated + incremental', acc + inc)]:
    idx = top(crossfit(target, 'reg:squarederror'))
    a, i = dollars(idx)
    print(f"in-year XGBoost regressor of {label} (cross-fitted): accelerated {a / na:.2f}x naive, incremental {i / ni:.2f}x naive, precision {y[idx].mean():.4f}")
