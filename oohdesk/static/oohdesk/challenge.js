// Solves the Issue Report form's proof-of-work spam challenge in the browser.
// The challenge is in the ALTCHA format (see oohdesk/security/challenge.py):
// find the number n for which SHA-256(salt + n) equals the challenge.
// Without JavaScript or Web Crypto (plain HTTP on a host other than localhost)
// the field stays empty and the report is still accepted, marked unverified.
(function () {
  "use strict";
  var input = document.getElementById("id_altcha");
  if (!input || !input.form || !window.crypto || !window.crypto.subtle || !window.TextEncoder) {
    return;
  }
  var form = input.form;
  var status = document.getElementById("spam-check-status");
  var challenge = JSON.parse(input.getAttribute("data-challenge"));
  var solved = false;
  var waiting = false;
  var sending = false;
  // Seconds a reporter who presses Send early waits for the check before the form goes anyway.
  var maxWaitSeconds = 5;

  function toHex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (byte) {
      return byte.toString(16).padStart(2, "0");
    }).join("");
  }

  async function findNumber() {
    var encoder = new TextEncoder();
    for (var number = 0; number <= challenge.maxnumber; number++) {
      var digest = await window.crypto.subtle.digest("SHA-256", encoder.encode(challenge.salt + number));
      if (toHex(digest) === challenge.challenge) {
        return number;
      }
    }
    return null;
  }

  function send() {
    if (!sending) {
      sending = true;
      form.submit();
    }
  }

  findNumber().then(function (number) {
    if (number !== null) {
      input.value = window.btoa(JSON.stringify({
        algorithm: challenge.algorithm,
        challenge: challenge.challenge,
        number: number,
        salt: challenge.salt,
        signature: challenge.signature
      }));
    }
  }).catch(function () {
    // The report is still sent, marked unverified.
  }).then(function () {
    solved = true;
    if (waiting) {
      send();
    }
  });

  form.addEventListener("submit", function (event) {
    if (solved || sending) {
      return;
    }
    event.preventDefault();
    waiting = true;
    if (status) {
      status.textContent = "Checking that this report comes from a person; it will be sent in a moment.";
    }
    window.setTimeout(send, maxWaitSeconds * 1000);
  });
})();
