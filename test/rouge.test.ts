// ROUGE against the ROUGE-1.5.5 figures published in Google's rouge-score test suite
// (google-research/rouge/rouge_scorer_test.py and its testdata target.txt / prediction.txt).
import { describe, expect, it } from 'vitest';
import { meanRouge, rouge, rougeTokens } from '../src/metrics/rouge.js';

// rouge/testdata/target.txt and prediction.txt, lines 1 and 2 (synthetic text made for that suite).
const targets = [
  "ZfbCUIUuePaiLVUlCaUXxkpu XPeWing tUHfPMuZ',-Xd Y BrUgVJing M-HV.-DgdDaY.rFDJCRing Ht-LM EKBDXkME,yz'RBr q'wtion wIojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxer tKM L",
  "KsJdPByEtAor fE-Qg Dpdbring cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMtion psing sbKao Q m qiing LMmer HqqLFXe,XPY,J XsurkMer ,ed nB'wH'bWVHjWFEing tQ.saefZwJtKrTlixYpMMsJing UCAPwNHeYVjDing c T BUySKtion gMPfJpwGw p'NvxAoping eu pBwMBKV'I DNxqelhu,PHPxDEq,mtion SN",
];
const predictions = [
  "rFDJCRtion Ht-LM EKtDXkME,yz'RBr q'wer wrojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxi",
  "n cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMer pstion sbKao Q m qier LMmed HqqLFXe,XPY,J XsurkMeo ,ed nB'wH'bWVHjWFEer tQ.saefZwJtKrTlixYpMMNJtion UCAPwNHeYVjD",
];

describe('rouge', () => {
  it('matches ROUGE-1.5.5 on the rouge-score reference pairs', () => {
    const a = rouge(targets[0]!, predictions[0]!);
    expect(a.rouge1).toBeCloseTo(0.51163, 5);
    expect(a.rouge2).toBeCloseTo(0.39024, 5);
    expect(a.rougeL).toBeCloseTo(0.51163, 5);
    const b = rouge(targets[1]!, predictions[1]!);
    expect(b.rouge1).toBeCloseTo(0.5, 5);
    expect(b.rouge2).toBeCloseTo(0.36364, 5);
    expect(b.rougeL).toBeCloseTo(0.5, 5);
  });

  it('matches the small hand-checked cases of rouge-score', () => {
    expect(rouge('testing one two', 'testing').rouge1).toBeCloseTo(1 / 2);
    expect(rouge('testing one two', 'testing one').rouge2).toBeCloseTo(2 / 3);
    expect(rouge('testing one two', 'testing one').rougeL).toBeCloseTo(4 / 5);
    expect(rouge('testing one two', 'testing two').rougeL).toBeCloseTo(4 / 5); // non-consecutive LCS
    expect(rouge('testing one two', '')).toEqual({ rouge1: 0, rouge2: 0, rougeL: 0 });
  });

  it('tokenizes like rouge-score: lower case, non-alphanumerics separate', () => {
    expect(rougeTokens("Don't STOP-me, now!")).toEqual(['don', 't', 'stop', 'me', 'now']);
  });

  it('averages per-pair F-measures', () => {
    const m = meanRouge(targets, predictions);
    expect(m.rouge1).toBeCloseTo((0.51163 + 0.5) / 2, 4);
  });
});
