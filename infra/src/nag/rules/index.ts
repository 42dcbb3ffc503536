export { default as PolicyNoNotAction } from './policy-no-not-action';
export { default as PolicyNoWildcardActions } from './policy-no-wildcard-actions';
