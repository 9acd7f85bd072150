// Sign-in inside DingTalk (免登): filled in with the DingTalk login (workbench.dingtalk_login).
import * as dd from "dingtalk-jsapi";

window.TallyDingTalk = { env: dd.env };
