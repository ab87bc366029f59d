/**
 * The page's one door to `@kmodkit/loader/predict`: the same rules as `kmodkit check`, browser-safe.
 * Nothing else in the page knows where the prediction comes from.
 */
export {
  type Finding,
  type KernelSymbol,
  type LoadTarget,
  type Prediction,
  parseModuleSymvers,
  predictLoad,
} from '@kmodkit/loader/predict';
