// The program page both backends open: the plan's template URL (event + template key) plus the output
// format, so the page renders at exactly the size and rate being encoded.
import { TEMPLATE_QUERY, type OutputPlan } from '../protocol/index.ts';

export function templatePageUrl(plan: OutputPlan): string {
  const url = new URL(plan.templateUrl);
  url.searchParams.set(TEMPLATE_QUERY.width, String(plan.video.width));
  url.searchParams.set(TEMPLATE_QUERY.height, String(plan.video.height));
  url.searchParams.set(TEMPLATE_QUERY.fps, String(plan.video.fps));
  return url.toString();
}
