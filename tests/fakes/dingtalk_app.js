// The DingTalk Android app's H5 container, as far as the workbench's 免登 needs it: injected
// into a Chromium page before any of the page's scripts (Playwright's add_init_script), beside
// a DingTalk user agent, so the page's own code and the real dingtalk-jsapi package run
// unchanged.
//
// Why this bridge: dingtalk-jsapi (3.2.9, lib/env.js) takes a user agent with "DingTalk" and
// "Android" for the Android app, and its Android bridge (lib/bridge/h5Android.js) is the one
// the container injects as `window.nuva`: once `nuva.isReady` is not false, `nuva.require()`
// returns the native call `(onSuccess, onFail, service, action, params)`, invoked for
// `dd.runtime.permission.requestAuthCode({corpId})` as ("runtime.permission",
// "requestAuthCode", {corpId, …}). It is the simplest of the platforms' bridges (iOS needs a
// WebViewJavascriptBridge handshake, the PC client a frame's postMessage protocol).
//
// The app answers with `{code}` (an auth code it asked DingTalk for, for the person signed in
// to the app) or fails with `{errorCode, errorMessage}`. Here the code comes from the fake
// DingTalk through `fakeDingTalkAppIssueAuthCode(corpId)`, a function the test exposes
// (tests/fakes/dingtalk_app.py): it issues one for the person the test signed in to the "app",
// or refuses another org's corp id as the app does.
(() => {
  const notProvided = (service, action) => ({
    errorCode: "9",
    errorMessage: `fake DingTalk app: ${service}.${action} is not provided`,
  });

  function requestAuthCode(onSuccess, onFail, params) {
    window.fakeDingTalkAppIssueAuthCode(String((params && params.corpId) || "")).then(
      (answer) => (answer.code ? onSuccess({ code: answer.code })
                               : onFail({ errorCode: "3", errorMessage: answer.error })),
      (error) => onFail({ errorCode: "3", errorMessage: String(error) }),
    );
  }

  function nativeCall(onSuccess, onFail, service, action, params) {
    if (service === "runtime.permission" && action === "requestAuthCode") {
      requestAuthCode(onSuccess, onFail, params);
    } else {
      onFail(notProvided(service, action));
    }
  }

  window.nuva = { isReady: true, require: () => nativeCall };
})();
