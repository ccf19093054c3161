// moxing/ml: classical machine learning: the estimator contract, models, preprocessing, metrics, model selection, the CSV workflow.

export { MODEL_VERSION, NotFittedError, BaseEstimator, Regressor, Classifier, Transformer, Clusterer, type ModelJSON, type ClassifierState, type AnyEstimator } from './base.js';
export { matrix, toMatrix, toVector, takeRows, take, toRows, hstack, type Matrix, type MatrixLike, type VectorLike } from './matrix.js';
export { ESTIMATORS, registerEstimator, ModelFormatError, loadModel } from './registry.js';

// Models, one file each.
export * from './linear.js';
export { LogisticRegression, type LogisticRegressionParams, type LogisticRegressionState } from './logistic.js';
export { DecisionTreeClassifier, DecisionTreeRegressor, type TreeParams, type MaxFeatures } from './tree.js';
export { RandomForestClassifier, RandomForestRegressor, type ForestParams } from './forest.js';
export { GradientBoostingClassifier, GradientBoostingRegressor, type GradientBoostingParams } from './gbm.js';
export { HistGradientBoostingClassifier, HistGradientBoostingRegressor, type HistGradientBoostingParams } from './hist-gbm.js';
export { KNeighborsClassifier, KNeighborsRegressor, type KNeighborsParams } from './knn.js';
export { GaussianNB, MultinomialNB, type GaussianNBParams, type MultinomialNBParams } from './naive-bayes.js';
export { KMeans, type KMeansParams } from './kmeans.js';
export { PCA, type PCAParams } from './pca.js';
export { MLPClassifier, MLPRegressor, type MLPParams, type MLPRegressorParams } from './mlp.js';
export { CNNClassifier, type CNNClassifierParams } from './cnn.js';
export { Pipeline, type PipelineParams } from './pipeline.js';

// Preprocessing, metrics, model selection (splits, crossValidate, GridSearchCV).
export * from './preprocessing/index.js';
export * from './metrics/index.js';
export * from './model-selection/index.js';

// The CSV workflow of `moxing fit / evaluate / predict / cv`.
export { MODEL_NAMES, makeModel, type ModelName, type Task, type TabularEstimator } from './tabular/models.js';
export { fitTabular, type FitOptions, type FitResult } from './tabular/fit.js';
export { predictTabular, evaluateTabular } from './tabular/predict.js';
export { loadTabular, readModelFile, type LoadedTabular, type TabularModelFile } from './tabular/model-file.js';
export { crossValidateTabular, gridSearchTabular, type CvOptions, type CvResult, type GridOptions, type GridSearchResult } from './tabular/cross-validate.js';
export { TabularPipeline, type TabularSpec } from './tabular/pipeline.js';
export { TabularError } from './tabular/error.js';
export type { Metrics } from './tabular/metrics.js';
