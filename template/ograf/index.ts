export { OGrafLayer, type OGrafLayerOptions } from './ograf-layer.ts';
export { OGRAF_ACTION_TIMEOUT_MS, OGRAF_LOAD_TIMEOUT_MS } from './ograf-frame.ts';
