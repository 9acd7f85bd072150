// Sign-in inside DingTalk (免登). On the login page, when the page runs inside the DingTalk app,
// ask the app for a one-time auth code (runtime.permission.requestAuthCode, for the org's corp
// id) and post it, with the page's CSRF token, in the page's hidden form: the server exchanges
// it for the person's user id, signs them in and sends them on to `next`, or answers the login
// page with the reason (and then this does not try again by itself). Only the core, each
// platform's bridge and that one API are bundled, not the whole JS API.
import dd from "dingtalk-jsapi/entry/union";
import requestAuthCode from "dingtalk-jsapi/api/runtime/permission/requestAuthCode";

const NOT_IN_DINGTALK = "notInDingTalk";

function show(box, text, isError) {
  box.textContent = text;
  box.hidden = false;
  box.className = isError ? "alert error" : "muted center";
  box.setAttribute("role", isError ? "alert" : "status");
}

function signInInsideDingTalk(card, form) {
  const status = document.getElementById("dingtalk-status");
  show(status, "正在通过钉钉登录…", false);
  requestAuthCode({ corpId: card.dataset.corpId }).then(
    (result) => {
      form.elements.code.value = result.code;
      form.submit();
    },
    () => show(status, "钉钉没有给出登录授权，请关闭页面重新打开，或用账号密码登录", true),
  );
}

// Inside the app: no QR code to scan; sign in at once, unless the last try failed (the page
// then says why, and the person may try again with a press rather than in a loop).
function insideDingTalk(card, form) {
  const qr = document.getElementById("qr-login");
  if (qr) qr.parentElement.hidden = true;
  if (card.dataset.auto === "1") {
    signInInsideDingTalk(card, form);
    return;
  }
  const retry = document.getElementById("dingtalk-retry");
  if (!retry) return;
  retry.hidden = false;
  retry.querySelector("button").addEventListener("click", () => {
    retry.hidden = true;
    signInInsideDingTalk(card, form);
  });
}

const card = document.getElementById("sign-in");
const form = document.getElementById("dingtalk-form");
if (card && form && card.dataset.corpId && dd.env.platform !== NOT_IN_DINGTALK) {
  insideDingTalk(card, form);
}
