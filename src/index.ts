// joulebench as a library: the tasks, the meters (meter your own code with start()/stop()),
// runBenchmark(), the record types and schemas, and the leaderboard. Named exports only.
//
//   import { openMeter } from 'joulebench';
//   const window = await (await openMeter('auto')).start();
//   ...your code...
//   const reading = await window.stop(); // { meter, kind, joules, components, durationS, ... }

export { isTaskName, loadAllTasks, loadTask, taskNames } from '../tasks/index.js';
export {
  classLabel,
  defineTask,
  field,
  imageField,
  metric,
  modelError,
  modelLabelMap,
  rowError,
  seededChoice,
  tokenizerOf,
  topOutput,
} from './task-api.js';
export type {
  DatasetFiles,
  DatasetRow,
  DecodedImage,
  FieldType,
  MetricSpec,
  ModelFacts,
  PipelineFunction,
  PipelineTask,
  Quality,
  Sample,
  SampleInput,
  ScoreContext,
  ScoringModel,
  TaskDef,
  TaskTokenizer,
} from './task-api.js';

export { defineMeter } from './meters/base.js';
export type {
  EnergyWindow,
  Meter,
  MeterDefinition,
  MeterEntry,
  MeterModule,
  MeterProbe,
  WindowFigures,
} from './meters/base.js';
export { describeMeters, meterNames, openMeter, selectMeter } from './meters/index.js';
export type { MeterListing, MeterOptions, MeterSelection } from './meters/index.js';
export { measureIdle, netOf } from './meters/idle.js';

export { openRegistry, runBenchmark } from './run/benchmark.js';
export type { BenchRequest, BenchResult } from './run/benchmark.js';

export { readRecords } from './records/reader.js';
export { buildBoard } from './report/board.js';
export type { Board, BoardGroup, BoardRow, BoardTask } from './report/board.js';
export { runLeaderboard } from './report/run-leaderboard.js';
export { RENDERERS } from './report/render/index.js';
export type { Renderer } from './report/render/index.js';

export { ComponentSchema, EnergyKindSchema, EnergyReadingSchema } from './schema/energy.js';
export type { Component, EnergyKind, EnergyReading } from './schema/energy.js';
export { ModelEntrySchema } from './schema/model-entry.js';
export type { ModelEntry } from './schema/model-entry.js';
export { DEFAULT_RUN_OPTIONS, RunOptionsSchema, RunSettingsSchema, resolveRunOptions } from './schema/run-options.js';
export type { ResolvedRunOptions, RunOptions } from './schema/run-options.js';
export { PlanSchema } from './schema/run-plan.js';
export type { Plan } from './schema/run-plan.js';
export {
  ErrorRecordSchema,
  OkRecordSchema,
  RunRecordSchema,
  SCHEMA_VERSION,
  SkippedRecordSchema,
} from './schema/result-record.js';
export type { ErrorRecord, OkRecord, RunRecord, SkippedRecord } from './schema/result-record.js';
export { UserError } from './util/errors.js';
