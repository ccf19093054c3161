#!/usr/bin/python3
"""Reference values for the classical-model tests, computed with Debian's scikit-learn.

Run from the repository root: /usr/bin/python3 scripts/make-ml-fixtures.py
Writes src/ml/fixtures/sklearn.json. Data comes from the fixtures committed in test/fixtures/datasets
(whole copies of the shared data sets' files, cut by scripts/make-test-fixtures.mjs; rows in file order).
"""
import csv, json, os, sys
import numpy as np
import sklearn
from sklearn.linear_model import LinearRegression, Ridge, Lasso, ElasticNet, LogisticRegression
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.naive_bayes import GaussianNB, MultinomialNB
from sklearn.decomposition import PCA
from sklearn.cluster import KMeans
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.preprocessing import StandardScaler, PolynomialFeatures
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn import metrics

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
DATA = os.path.join(ROOT, 'test', 'fixtures', 'datasets')


def load(path, target):
    with open(os.path.join(DATA, path), newline='') as f:
        rows = list(csv.DictReader(f))
    names = [c for c in rows[0].keys() if c != target]
    X = np.array([[float(r[c]) for c in names] for r in rows])
    raw = [r[target] for r in rows]
    try:
        y = np.array([float(v) for v in raw])
    except ValueError:
        classes = sorted(set(raw))
        y = np.array([classes.index(v) for v in raw], dtype=float)
    return X, y


def L(a):
    return np.asarray(a, dtype=float).ravel().tolist()


out = {'sklearn': sklearn.__version__}
Xd, yd = load('diabetes/diabetes_raw.csv', 'target')
Xd, yd = Xd[:200], yd[:200]
out['diabetes'] = {'rows': 200}
out['linear'] = {'coef': L(LinearRegression().fit(Xd, yd).coef_), 'intercept': float(LinearRegression().fit(Xd, yd).intercept_)}
r = Ridge(alpha=1.0).fit(Xd, yd)
out['ridge'] = {'alpha': 1.0, 'coef': L(r.coef_), 'intercept': float(r.intercept_)}
s = StandardScaler().fit(Xd)
Xs = s.transform(Xd)
la = Lasso(alpha=1.0, tol=1e-8, max_iter=100000).fit(Xs, yd)
out['lasso'] = {'alpha': 1.0, 'coef': L(la.coef_), 'intercept': float(la.intercept_)}
en = ElasticNet(alpha=0.5, l1_ratio=0.3, tol=1e-8, max_iter=100000).fit(Xs, yd)
out['elasticnet'] = {'alpha': 0.5, 'l1Ratio': 0.3, 'coef': L(en.coef_), 'intercept': float(en.intercept_)}
tr = DecisionTreeRegressor(max_depth=3, random_state=0).fit(Xd, yd)
out['treeRegressor'] = {'maxDepth': 3, 'pred': L(tr.predict(Xd)), 'nodes': int(tr.tree_.node_count)}
kr = KNeighborsRegressor(n_neighbors=4, weights='distance').fit(Xd[:150], yd[:150])
out['knnRegressor'] = {'pred': L(kr.predict(Xd[150:]))}

Xb, yb = load('breast_cancer/wdbc_diagnostic_sklearn.csv', 'diagnosis')
sb = StandardScaler().fit(Xb)
Xbs = sb.transform(Xb)
lr = LogisticRegression(C=0.5, tol=1e-10, max_iter=10000).fit(Xbs, yb)
out['logisticBinary'] = {'C': 0.5, 'coef': L(lr.coef_), 'intercept': L(lr.intercept_), 'proba': L(lr.predict_proba(Xbs[:10]))}
tc = DecisionTreeClassifier(max_depth=2, criterion='entropy', random_state=0).fit(Xb[:300], yb[:300])
out['treeClassifier'] = {'maxDepth': 2, 'criterion': 'entropy', 'pred': L(tc.predict(Xb[300:])), 'proba': L(tc.predict_proba(Xb[300:320]))}

Xi, yi = load('iris/iris_sklearn.csv', 'species')
lm = LogisticRegression(C=1.0, tol=1e-10, max_iter=10000).fit(Xi, yi)
out['logisticMultinomial'] = {'C': 1.0, 'coef': L(lm.coef_), 'intercept': L(lm.intercept_), 'proba': L(lm.predict_proba(Xi[::10]))}
g = GaussianNB().fit(Xi, yi)
out['gaussianNB'] = {'proba': L(g.predict_proba(Xi[::7]))}
kc = KNeighborsClassifier(n_neighbors=5).fit(Xi[::2], yi[::2])
out['knnClassifier'] = {'pred': L(kc.predict(Xi[1::2])), 'proba': L(kc.predict_proba(Xi[1::2]))}
km = KMeans(n_clusters=3, n_init=10, random_state=0).fit(Xi)
out['kmeansIris'] = {'inertia': float(km.inertia_), 'ari': float(metrics.adjusted_rand_score(yi, km.labels_))}

Xg, yg = load('digits/digits_8x8.csv', 'label')
mn = MultinomialNB(alpha=1.0).fit(Xg[:1000], yg[:1000])
out['multinomialNB'] = {'proba': L(mn.predict_proba(Xg[1000:1010])), 'accuracy': float(mn.score(Xg[1000:], yg[1000:]))}
pca = PCA(n_components=5).fit(Xg)
out['pca'] = {'explainedVariance': L(pca.explained_variance_), 'ratio': L(pca.explained_variance_ratio_)}

# MLPs: scores (not weights) are the reference; every 4th row is the test part. Digits scaled to [0, 1].
te = np.arange(len(yg)) % 4 == 3
mc = MLPClassifier(hidden_layer_sizes=(64,), max_iter=100, random_state=0).fit(Xg[~te] / 16, yg[~te])
out['mlpDigits'] = {'hiddenLayerSizes': [64], 'maxIter': 100, 'accuracy': float(mc.score(Xg[te] / 16, yg[te])), 'nIter': int(mc.n_iter_)}
Xh, yh = load('boston_housing/boston_MASS.csv', 'medv')
te = np.arange(len(yh)) % 4 == 3
sh = StandardScaler().fit(Xh[~te])
mr = MLPRegressor(hidden_layer_sizes=(32,), learning_rate_init=0.01, max_iter=300, random_state=0).fit(sh.transform(Xh[~te]), yh[~te])
out['mlpBoston'] = {'hiddenLayerSizes': [32], 'learningRateInit': 0.01, 'maxIter': 300, 'r2': float(mr.score(sh.transform(Xh[te]), yh[te])),
                    'ridgeR2': float(Ridge(alpha=1.0).fit(sh.transform(Xh[~te]), yh[~te]).score(sh.transform(Xh[te]), yh[te]))}

poly = PolynomialFeatures(degree=3).fit(Xi[:2, :3])
out['polynomial'] = {'X': L(Xi[:2, :3]), 'out': L(poly.transform(Xi[:2, :3])), 'cols': int(poly.n_output_features_)}

docs = ['床前明月光，疑是地上霜。', '举头望明月，低头思故乡。', 'The cat sat on the mat.', 'The dog sat on the log, the end.']
cv = CountVectorizer(analyzer='char', ngram_range=(1, 2)).fit(docs)
tv = TfidfVectorizer(analyzer='char', ngram_range=(1, 2)).fit(docs)
tw = TfidfVectorizer(sublinear_tf=True).fit(docs)
out['text'] = {
    'docs': docs,
    'charVocab': sorted(cv.vocabulary_, key=cv.vocabulary_.get),
    'charCounts': L(cv.transform(docs).toarray()),
    'charTfidf': L(tv.transform(docs).toarray()),
    'wordVocab': sorted(tw.vocabulary_, key=tw.vocabulary_.get),
    'wordTfidfSublinear': L(tw.transform(docs).toarray()),
}

rng = np.random.RandomState(0)
yt = rng.randint(0, 3, 60)
yp = np.where(rng.rand(60) < 0.6, yt, rng.randint(0, 3, 60))
yb2 = rng.randint(0, 2, 50)
sc = np.round(yb2 * 0.3 + rng.rand(50), 2)  # rounded: ties exercise the tie rule
P = rng.dirichlet([1, 1, 1], 60)
Xc = np.vstack([rng.randn(20, 2), rng.randn(20, 2) + 4])
lc = np.array([0] * 20 + [1] * 20)
lc[::7] = 1 - lc[::7]
out['metrics'] = {
    'yTrue': L(yt), 'yPred': L(yp), 'yBin': L(yb2), 'scores': L(sc), 'proba': L(P), 'X': L(Xc), 'labels': L(lc),
    'accuracy': float(metrics.accuracy_score(yt, yp)),
    'f1Macro': float(metrics.f1_score(yt, yp, average='macro')),
    'f1Weighted': float(metrics.f1_score(yt, yp, average='weighted')),
    'precisionMacro': float(metrics.precision_score(yt, yp, average='macro')),
    'recallWeighted': float(metrics.recall_score(yt, yp, average='weighted')),
    'confusion': metrics.confusion_matrix(yt, yp).tolist(),
    'rocAuc': float(metrics.roc_auc_score(yb2, sc)),
    'logLoss': float(metrics.log_loss(yt, P)),
    'silhouette': float(metrics.silhouette_score(Xc, lc)),
    'ari': float(metrics.adjusted_rand_score(yt, yp)),
}

with open(os.path.join(ROOT, 'src', 'ml', 'fixtures', 'sklearn.json'), 'w') as f:
    json.dump(out, f, separators=(',', ':'))
    f.write('\n')
print('wrote src/ml/fixtures/sklearn.json', file=sys.stderr)
