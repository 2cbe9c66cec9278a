import Sentiment from 'sentiment';

/** A text's sentiment: `score` the lexicon sum, `comparative` the score per token (AFINN scale, about -5..5). */
export interface SentimentScore {
  readonly lang: 'en' | 'ko';
  readonly score: number;
  readonly comparative: number;
}

const analyzer = new Sentiment();

/**
 * Korean has no maintained lexicon package in reach, and `sentiment` tokenises on spaces, which
 * fails on Korean words that carry particles (`상승세를`). So Korean text is scored by substring
 * matches against this small finance lexicon (AFINN-like weights), counted once per occurrence, and
 * `comparative` divides by the number of space-separated words. Coarse, and said so in the README.
 */
export const KOREAN_LEXICON: Readonly<Record<string, number>> = {
  급등: 3,
  상승: 2,
  호재: 2,
  흑자: 2,
  최대: 1,
  개선: 2,
  성장: 2,
  호조: 2,
  강세: 2,
  수주: 2,
  신고가: 3,
  배당: 1,
  회복: 2,
  돌파: 2,
  급락: -3,
  하락: -2,
  악재: -2,
  적자: -2,
  손실: -2,
  부진: -2,
  약세: -2,
  우려: -1,
  감소: -1,
  리콜: -2,
  소송: -2,
  횡령: -4,
  상장폐지: -4,
  부도: -4,
  신저가: -3,
  감자: -2,
  경고: -2,
};

const HANGUL = /[\uAC00-\uD7A3]/g;

/** Scores `text`: English through the `sentiment` package (AFINN-165), mostly-Hangul text through {@link KOREAN_LEXICON}. */
export function scoreSentiment(text: string): SentimentScore {
  const hangul = text.match(HANGUL)?.length ?? 0;
  const letters = text.replace(/[^\p{L}]/gu, '').length;
  if (hangul > 0 && hangul * 2 >= letters) {
    let score = 0;
    for (const [word, w] of Object.entries(KOREAN_LEXICON)) {
      let at = text.indexOf(word);
      while (at >= 0) {
        // A stem counts inside inflected words (상승세를); no entry contains another, so nothing counts twice.
        score += w;
        at = text.indexOf(word, at + word.length);
      }
    }
    const words = text.split(/\s+/).filter((w) => w !== '').length;
    return { lang: 'ko', score, comparative: words > 0 ? score / words : 0 };
  }
  const r = analyzer.analyze(text);
  return { lang: 'en', score: r.score, comparative: r.comparative };
}
