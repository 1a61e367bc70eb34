import Type, { type Static, type TSchema } from 'typebox';
import type { ActionDefinition, RequiredRole } from '../action-definition.js';
import { IncidentId, WRITE_INCIDENTS } from './incident.actions.js';

const WRITE_ALERTS: RequiredRole = { resource: 'graph', role: 'SecurityAlert.ReadWrite.All' };
const Comment = Type.String({
  minLength: 1,
  maxLength: 4000,
  description: 'The comment; Riposte appends the run step it came from.',
});

interface Target {
  id: string;
  kind: 'alert' | 'incident';
  path: string;
  notFound: 'alert_not_found' | 'incident_not_found';
}

export interface CommentOutput {
  kind: 'alert' | 'incident';
  id: string;
  commentCount: number;
}

/**
 * `POST …/comments` adds a comment each time it is sent, so it goes through the effect ledger:
 * the comment carries the step's marker, and after a lost answer or a crash the comments are
 * read back and the marked one counts as done.
 */
function commentAction<I extends { comment: string }>(
  kind: 'alert' | 'incident',
  id: string,
  title: string,
  schema: TSchema,
  role: RequiredRole,
  targetOf: (input: I) => Target,
): ActionDefinition<I, CommentOutput> {
  const body = (input: I, marker: string) => ({
    '@odata.type': 'microsoft.graph.security.alertComment',
    comment: `${input.comment} [${marker}]`,
  });
  return {
    id,
    title,
    description: `${title} (POST ${kind === 'alert' ? '/security/alerts_v2/{id}/comments' : '/security/incidents/{id}/comments'}). Recorded in the effect ledger: never posted twice by a retry or a restart.`,
    inputSchema: schema,
    requiredRoles: [role],
    inverse: null,
    destructive: false,
    ledger: true,
    entity: (input) => `${targetOf(input).kind}:${targetOf(input).id}`,
    async plan(input, { graph, target, marker }) {
      const t = targetOf(input);
      return [
        graph.describe(target, {
          method: 'POST',
          path: `${t.path}/comments`,
          body: body(input, marker),
          idempotent: false,
        }),
      ];
    },
    async execute(input, { graph, target, signal, marker }) {
      const t = targetOf(input);
      const reply = await graph.send<{ value?: unknown[] }>(
        target,
        {
          method: 'POST',
          path: `${t.path}/comments`,
          body: body(input, marker),
          idempotent: false,
          notFound: t.notFound,
          what: `${t.kind} ${t.id}`,
        },
        signal,
      );
      return { kind: t.kind, id: t.id, commentCount: reply.data?.value?.length ?? 0 };
    },
    async reconcile(input, { graph, target, signal, marker }) {
      const t = targetOf(input);
      const found = (
        await graph.send<{ comments?: { comment?: string }[] }>(
          target,
          { method: 'GET', path: t.path, idempotent: true, notFound: t.notFound, what: `${t.kind} ${t.id}` },
          signal,
        )
      ).data;
      const comments = found?.comments ?? [];
      return comments.some((c) => c.comment?.includes(marker))
        ? { state: 'applied', output: { kind: t.kind, id: t.id, commentCount: comments.length } }
        : { state: 'not_applied' };
    },
  };
}

const AlertCommentInput = Type.Object(
  {
    alertId: Type.String({ minLength: 1, maxLength: 200, description: 'The Graph security alert id (alerts_v2).' }),
    comment: Comment,
  },
  { additionalProperties: false },
);
const IncidentCommentInput = Type.Object({ incidentId: IncidentId, comment: Comment }, { additionalProperties: false });

export const commentAlert = commentAction<Static<typeof AlertCommentInput>>(
  'alert',
  'graph_security.comment_alert',
  'Comment on a Microsoft security alert',
  AlertCommentInput,
  WRITE_ALERTS,
  (input) => ({
    id: input.alertId,
    kind: 'alert',
    path: `/security/alerts_v2/${encodeURIComponent(input.alertId)}`,
    notFound: 'alert_not_found',
  }),
);
export const commentIncident = commentAction<Static<typeof IncidentCommentInput>>(
  'incident',
  'graph_security.comment_incident',
  'Comment on a Microsoft 365 Defender incident',
  IncidentCommentInput,
  WRITE_INCIDENTS,
  (input) => ({
    id: input.incidentId,
    kind: 'incident',
    path: `/security/incidents/${input.incidentId}`,
    notFound: 'incident_not_found',
  }),
);
