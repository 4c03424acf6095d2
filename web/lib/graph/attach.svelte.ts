import type { Attachment } from 'svelte/attachments';
import type { El } from './elements.ts';
import { GraphView, type GraphHandlers, type LayoutSpec } from './graph-view.ts';

export interface GraphInput { elements: El[]; layout: LayoutSpec; selected: string | null }

/**
 * `{@attach graphMap(() => input, handlers)}`: creates the Cytoscape view once for the element
 * and patches it whenever the input changes. The input is read inside a nested effect, so a new
 * graph patches the existing view instead of re-running the attachment (which would rebuild it).
 */
export function graphMap(input: () => GraphInput, handlers: GraphHandlers & { onReady?(v: GraphView | null): void }, overview?: () => HTMLCanvasElement | undefined): Attachment<HTMLElement> {
  return (el) => {
    const view = new GraphView(el, handlers, overview?.());
    handlers.onReady?.(view);
    const ro = new ResizeObserver(() => view.resize());
    ro.observe(el);
    $effect(() => {
      const { elements, layout, selected } = input();
      void view.update(elements, layout, selected);
    });
    return () => {
      ro.disconnect();
      handlers.onReady?.(null);
      view.destroy();
    };
  };
}
