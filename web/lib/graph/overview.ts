import type cytoscape from 'cytoscape';

/**
 * A small overview of the whole map with the visible area outlined; click or drag in it to move
 * there. Node dots are drawn into a cached layer when positions change, the viewport box on every
 * pan/zoom, so it costs next to nothing while the user moves around.
 */
export class Overview {
  private dots: HTMLCanvasElement;
  private scale = 1;
  private ox = 0;
  private oy = 0;
  private frame = 0;
  private dragging = false;
  private readonly onViewport = () => this.schedule(false);
  private readonly onDown = (e: PointerEvent) => { this.dragging = true; this.canvas.setPointerCapture(e.pointerId); this.panTo(e); };
  private readonly onMove = (e: PointerEvent) => { if (this.dragging) this.panTo(e); };
  private readonly onUp = () => { this.dragging = false; };

  constructor(private readonly cy: cytoscape.Core, private readonly canvas: HTMLCanvasElement) {
    this.dots = document.createElement('canvas');
    cy.on('viewport resize', this.onViewport);
    canvas.addEventListener('pointerdown', this.onDown);
    canvas.addEventListener('pointermove', this.onMove);
    canvas.addEventListener('pointerup', this.onUp);
  }

  refresh() { this.schedule(true); }

  private schedule(redrawDots: boolean) {
    if (redrawDots) this.drawDots();
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => { this.frame = 0; this.drawViewport(); });
  }

  private drawDots() {
    const { canvas, cy } = this;
    const w = canvas.width, h = canvas.height;
    this.dots.width = w; this.dots.height = h;
    const ctx = this.dots.getContext('2d');
    if (!ctx || cy.nodes().empty()) return;
    const bb = cy.elements().boundingBox({ includeLabels: false });
    this.scale = Math.min((w - 8) / Math.max(bb.w, 1), (h - 8) / Math.max(bb.h, 1));
    this.ox = 4 - bb.x1 * this.scale + ((w - 8) - bb.w * this.scale) / 2;
    this.oy = 4 - bb.y1 * this.scale + ((h - 8) - bb.h * this.scale) / 2;
    ctx.fillStyle = '#5b6b7d';
    for (const n of cy.nodes().not('.compound')) {
      const p = n.position();
      ctx.fillRect(p.x * this.scale + this.ox - 1, p.y * this.scale + this.oy - 1, 2, 2);
    }
  }

  private drawViewport() {
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.drawImage(this.dots, 0, 0);
    const ext = this.cy.extent();
    ctx.strokeStyle = '#1565c0';
    ctx.lineWidth = 1.5;
    ctx.strokeRect(ext.x1 * this.scale + this.ox, ext.y1 * this.scale + this.oy, ext.w * this.scale, ext.h * this.scale);
  }

  private panTo(e: PointerEvent) {
    const r = this.canvas.getBoundingClientRect();
    const x = ((e.clientX - r.left) * (this.canvas.width / r.width) - this.ox) / this.scale;
    const y = ((e.clientY - r.top) * (this.canvas.height / r.height) - this.oy) / this.scale;
    const z = this.cy.zoom();
    this.cy.pan({ x: this.cy.width() / 2 - x * z, y: this.cy.height() / 2 - y * z });
  }

  destroy() {
    cancelAnimationFrame(this.frame);
    this.cy.off('viewport resize', this.onViewport);
    this.canvas.removeEventListener('pointerdown', this.onDown);
    this.canvas.removeEventListener('pointermove', this.onMove);
    this.canvas.removeEventListener('pointerup', this.onUp);
  }
}
