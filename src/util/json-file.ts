// Reading a JSON file that a schema validates (models.json, suites, plans): every failure is
// one UserError that names the file and says what is wrong with it.
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { UserError, errorCode, errorMessage } from './errors.js';

/** How a schema issue is named in the message; the default is "field 'a.b': message". */
export type IssueFormatter = (issue: z.core.$ZodIssue, json: unknown) => string;

const fieldIssue: IssueFormatter = (issue) =>
  `${issue.path.length > 0 ? `field '${issue.path.join('.')}'` : 'top level'}: ${issue.message}`;

/**
 * Reads, parses and validates `path`. `what` names the file in messages ("model registry",
 * "suite", "run plan"); the first few schema issues are listed.
 */
export function readJsonFile<S extends z.ZodType>(
  path: string,
  schema: S,
  what: string,
  formatIssue = fieldIssue,
): z.output<S> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UserError(`Cannot read the ${what} ${path}: ${errorCode(err)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${path} is not valid JSON: ${errorMessage(err)}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((issue) => formatIssue(issue, json));
    throw new UserError(`Invalid ${what} ${path}: ${issues.join('; ')}`);
  }
  return parsed.data;
}
