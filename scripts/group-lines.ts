// Lines of `rafcast evaluate`'s summary for the lists' figures on continuing and new members
// apart (evaluation/lists.ts defines them) and for a list made elsewhere (--list).
import type { Evaluation, GroupMetrics } from '../evaluation/evaluation-types.ts';
import { percent } from '../evaluation/format.ts';

const groupCell = (g: GroupMetrics): string =>
  `precision ${g.precision === null ? 'n/a' : percent(g.precision)} of ${g.listed} listed, AUC ${g.auc === null ? 'n/a' : g.auc.toFixed(3)}`;

/** Per list: precision and AUC on continuing members (with RAF_{T-1}) and on new members (without). */
export function groupLines(e: Evaluation): string[] {
  const withGroups = e.lists.filter((l) => l.groups !== undefined);
  if (withGroups.length === 0) return [];
  const { continuing, new: fresh } = withGroups[0]!.groups!;
  const T = e.asOf;
  return [
    `continuing members (with RAF_${T - 1}): ${continuing.members}, ${continuing.positives} in the top 20% of RAF_${T}; ` +
      `new members (without): ${fresh.members}, ${fresh.positives} in the top 20%. ` +
      `Precision: the share of a list's members in the group who are in the top 20% overall; AUC within the group.`,
    ...withGroups.map((l) => `${l.name.padEnd(8)} continuing: ${groupCell(l.groups!.continuing)};  new: ${groupCell(l.groups!.new)}`),
  ];
}

/** The list made elsewhere: its size as read and as evaluated, and the ids that are not members. */
export function externalListLines(e: Evaluation): string[] {
  const x = e.externalList;
  if (x === undefined) return [];
  const size =
    x.evaluated === e.listSize
      ? 'the same size as the other lists'
      : `${x.evaluated > e.listSize ? 'longer' : 'shorter'} than the other lists (${e.listSize}, 20%): its precision and dollars are for its own size`;
  return [
    `external list ${x.file}: ${x.rows} rows, ${x.evaluated} members evaluated (${percent(x.share)} of members, ${size}), ` +
      `${x.unknown} not members at as-of ${e.asOf} (not evaluated), ordered by ${x.order === 'rank' ? 'its rank column' : 'file order'}`,
  ];
}
