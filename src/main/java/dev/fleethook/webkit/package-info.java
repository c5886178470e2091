/**
 * The web plumbing every feature's pages may use and that knows no feature: {@link dev.fleethook.webkit.Flash}
 * (post/redirect/get with a one-line confirmation). The layout and error mapping that know the features live
 * above them, in {@code web}.
 */
package dev.fleethook.webkit;
