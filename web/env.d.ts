/// <reference types="svelte" />
/// <reference types="vite/client" />
declare module 'cytoscape-elk' { const ext: cytoscape.Ext; export default ext; }
declare module 'cytoscape-fcose' { const ext: cytoscape.Ext; export default ext; }
