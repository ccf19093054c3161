#!/usr/bin/python3
"""scikit-learn side of bench/classical.ts: fits the same estimators on the same matrices and splits.

Reads the JSON job written by classical.ts (path in argv[1]); prints one JSON object:
{dataset: {model: {score, fitSeconds[, xgboost: {score, fitSeconds[, wall1, wallT]}]}}}, with
XGBoost (tree_method="hist", one thread) beside the boosters; with the job's "threads" above 1, also
XGBoost's wall time with one thread and with that many (n_jobs), what threads buy there. Run with
Debian's /usr/bin/python3 (python3-sklearn, python3-xgboost).
"""
import json, sys, time
import numpy as np
from sklearn.linear_model import LinearRegression, Ridge, Lasso, LogisticRegression
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor, GradientBoostingClassifier, GradientBoostingRegressor
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
import xgboost
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.naive_bayes import GaussianNB
from sklearn.cluster import KMeans
from sklearn.neural_network import MLPClassifier
from sklearn.metrics import adjusted_rand_score
import warnings
warnings.filterwarnings('ignore')


def make(name, task, k, seed=0, n_jobs=1):
    cls = task == 'classification'
    return {
        'linear': lambda: LinearRegression(),
        'ridge': lambda: Ridge(alpha=1.0),
        'lasso': lambda: Lasso(alpha=100.0, max_iter=10000),
        'logistic': lambda: LogisticRegression(C=1.0, max_iter=1000),
        'tree': lambda: (DecisionTreeClassifier if cls else DecisionTreeRegressor)(random_state=0),
        'forest': lambda: (RandomForestClassifier if cls else RandomForestRegressor)(n_estimators=100, random_state=0),
        'gbm': lambda: (GradientBoostingClassifier if cls else GradientBoostingRegressor)(n_estimators=100, random_state=0),
        'knn': lambda: (KNeighborsClassifier if cls else KNeighborsRegressor)(n_neighbors=5),
        'naive-bayes': lambda: GaussianNB(),
        'kmeans': lambda: KMeans(n_clusters=k, n_init=10, random_state=seed),
        'mlp': lambda: MLPClassifier(random_state=0),
        'hgb': lambda: (HistGradientBoostingClassifier if cls else HistGradientBoostingRegressor)(random_state=0),
        'xgboost': lambda: (xgboost.XGBClassifier if cls else xgboost.XGBRegressor)(tree_method='hist', n_estimators=100, n_jobs=n_jobs, random_state=0),
    }[name]()


def timed_fit(name, task, k, Xtr, ytr, repeats, block=1):
    # Best per-fit CPU time of `repeats` blocks of `block` back-to-back fits of one estimator, as
    # classical.ts times its side (block > 1 only for fits under 10 ms there).
    best = float('inf')
    m = None
    for _ in range(repeats):
        m = make(name, task, k)
        t = time.process_time()  # CPU time, as the moxing side (see classical.ts)
        for _ in range(block):
            if name == 'kmeans':
                m.fit(Xtr)
            else:
                m.fit(Xtr, ytr)
        best = min(best, (time.process_time() - t) / block)
    return m, best


def thread_walls(task, k, Xtr, ytr, threads, repeats=5, most=15, seconds=3.0):
    # XGBoost's wall time with one thread and with `threads`, as classical.ts times moxing's: a few
    # untimed fits of each, then the two alternate (at least `repeats` times, up to `most` while under
    # `seconds`), best of each.
    for n_jobs in (1, threads):
        for _ in range(3):
            make('xgboost', task, k, n_jobs=n_jobs).fit(Xtr, ytr)
    best = {1: float('inf'), threads: float('inf')}
    until = time.perf_counter() + seconds
    r = 0
    while r < repeats or (r < most and time.perf_counter() < until):
        for n_jobs in (1, threads):
            m = make('xgboost', task, k, n_jobs=n_jobs)
            t = time.perf_counter()
            m.fit(Xtr, ytr)
            best[n_jobs] = min(best[n_jobs], time.perf_counter() - t)
        r += 1
    return best[1], best[threads]


def main():
    job = json.load(open(sys.argv[1]))
    out = {}
    for ds in job['datasets']:
        Xtr = np.array(ds['Xtrain']).reshape(-1, ds['cols'])
        Xte = np.array(ds['Xtest']).reshape(-1, ds['cols'])
        ytr, yte = np.array(ds['ytrain']), np.array(ds['ytest'])
        res = {}
        for name in ds['models']:
            m, best = timed_fit(name, ds['task'], ds.get('k', 2), Xtr, ytr, ds['repeats'].get(name, 1), ds['blocks'].get(name, 1))
            if name == 'kmeans':
                # Mean over seeds, as classical.ts: one seed's local optimum is noise (ARI 39-56 on digits).
                labels = np.array(ds['clusterLabels'])
                score = np.mean([adjusted_rand_score(labels, make(name, ds['task'], ds.get('k', 2), s).fit(Xtr).predict(Xte))
                                 for s in range(ds['clusterSeeds'])])
            else:
                score = m.score(Xte, yte)
            res[name] = {'score': float(score), 'fitSeconds': best}
            if name in ('gbm', 'hgb'):
                if 'xgboost' not in res:
                    xm, xbest = timed_fit('xgboost', ds['task'], ds.get('k', 2), Xtr, ytr, ds['repeats'].get('hgb', 3))
                    res['xgboost'] = {'score': float(xm.score(Xte, yte)), 'fitSeconds': xbest}
                    if job.get('threads', 1) > 1:
                        res['xgboost']['wall1'], res['xgboost']['wallT'] = thread_walls(ds['task'], ds.get('k', 2), Xtr, ytr, job['threads'])
                res[name]['xgboost'] = res['xgboost']
        out[ds['name']] = res
    print(json.dumps(out))


main()
