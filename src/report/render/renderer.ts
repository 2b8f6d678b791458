// What an output format is: a name, its main file, and a function from the Board to files.
import type { Board } from '../board.js';

export interface Renderer {
  /** The --format name. */
  name: string;
  /** The main file it writes, relative to the output folder. */
  file: string;
  /** A folder the renderer owns whole: written anew beside the old one and swapped in when complete, so nothing stale lingers. */
  owns?: string;
  /** Path relative to the output folder -> contents. */
  render(board: Board): Record<string, string> | Promise<Record<string, string>>;
}
