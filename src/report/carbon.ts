// Grid carbon intensity used to turn energy into gCO2e. Carbon is always an estimate
// (energy × an average intensity), whatever the energy figure is.

export interface CarbonIntensity {
  gPerKWh: number;
  /** Where the figure comes from, printed next to every carbon column. */
  source: string;
}

/**
 * Default: world average carbon intensity of electricity generation in 2023, 480 gCO2/kWh,
 * from Ember, "Global Electricity Review 2024" (published May 2024), key findings
 * ("record low of 480 gCO2/kWh, down from 486 gCO2/kWh in 2022"):
 * https://ember-climate.org/insights/research/global-electricity-review-2024/
 * A world average, not the grid of the machine that ran the benchmark: pass
 * --carbon-intensity for a local figure.
 */
export const DEFAULT_CARBON_INTENSITY: CarbonIntensity = {
  gPerKWh: 480,
  source:
    'world average of electricity generation in 2023, Ember "Global Electricity Review 2024" ' +
    '(https://ember-climate.org/insights/research/global-electricity-review-2024/)',
};

export function carbonIntensity(gPerKWh: number | undefined): CarbonIntensity {
  if (gPerKWh === undefined) return DEFAULT_CARBON_INTENSITY;
  return { gPerKWh, source: 'given with --carbon-intensity' };
}

export function gramsCO2e(kWh: number, intensity: CarbonIntensity): number {
  return kWh * intensity.gPerKWh;
}
