"""Disclosure rules of the sales pages, judged from what each screen showed on arrival
(journey.json "regulation" → screens[].sales, harness_browser/js/sales_rules.js):

    service_contact_gate   监管办法 art. 13   service phone and online service entry
    key_facts_gate         监管办法 art. 14, 销售办法 art. 25   name + filing number, premium,
                           waiting period, cooling-off period, before payment
    named_gate             监管办法 art. 15 (insurer), 销售办法 art. 24 (seller)
    surrender_terms_gate   销售办法 art. 40   surrender conditions and time limits
    renewal_consent_gate   监管办法 art. 21   no automatic renewal without the buyer's consent
    catch_all_gate         销售办法 art. 27   no catch-all health question
    uncertainty_gate       监管办法 art. 14   「保单利益具有不确定性」 bold, ≥ the product name

The sales pages are the screens up to the last counted step (the payment-success page is not
one). Pure functions. Fail closed: evidence from before these rules, a journey that stopped
before the screens a rule needs, or a default wording found nowhere is INCONCLUSIVE, saying
what was looked for; what the journey file's [regulation] table named and no screen showed
is FAILED.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from harness.model import Comparator, Outcome, Status
from harness.readers.browser import JourneyEvidence, ScreenRules
from harness_contract.sales_rules import RulePatterns, SalesScreenRecord

Sales = tuple[tuple[ScreenRules, SalesScreenRecord], ...]
FACT_WORDS = {"product_name": "the product name", "filing_number": "its filing number or "
              "clause code", "premium": "the premium", "waiting_period": "the waiting period",
              "cooling_off": "the cooling-off period (犹豫期)", "insurer": "the insurer",
              "seller": "the seller"}
TIME_LIMIT = re.compile(r"\d+\s*(?:个)?(?:工作日|自然日|天|日|小时)|\d+\s*(?:business |working )?"
                        r"(?:days?|hours?)", re.IGNORECASE)
CONDITION = re.compile(r"退还|扣除|现金价值|手续费|损失|退费|refund|deduct|cash value|fee|loss",
                       re.IGNORECASE)


def _where(journey: JourneyEvidence) -> str:
    return f"{journey.journey} at {journey.viewport}"


def _sales(journey: JourneyEvidence, what: str) -> tuple[Sales, RulePatterns] | Outcome:
    """The measured sales screens and the patterns, or INCONCLUSIVE when not measured."""
    rules = journey.regulation
    if rules is None or rules.rules is None or not rules.screens \
            or any(s.sales is None for s in rules.screens):
        why = journey.error if not journey.completed and not rules else \
            "this evidence predates the measurement"
        return Outcome.inconclusive(f"{what} of {_where(journey)} was not measured: {why}",
                                    evidence=(journey.source,))
    counted = [s.index for s in journey.steps if s.counted]
    last = max(counted) if counted and journey.completed else max(s.step for s in rules.screens)
    screens = tuple((s, s.sales) for s in rules.screens if s.step <= last and s.sales)
    return screens, rules.rules


def _looked_for(journey: JourneyEvidence, what: str, keys: Sequence[str], rules: RulePatterns,
                screens: Sales) -> Outcome:
    """Nothing found for `keys`: FAILED when the journey named where it is, else INCONCLUSIVE
    with what the defaults looked for."""
    where, evidence = _where(journey), (journey.source,)
    looked = "; ".join(f"{k} /{rules.patterns.get(k)}/" for k in keys)
    on = f"any of the {len(screens)} screens before payment of {where}"
    if not journey.completed:
        return Outcome.inconclusive(f"not found on {on}: {what}, but the journey stopped "
                                    f"early ({journey.error}); looked for {looked}",
                                    evidence=evidence)
    named = [k for k in keys if k in rules.named]
    if named:
        return Outcome(status=Status.FAILED, evidence=evidence,
                       details={"looked_for": looked, "named": named},
                       message=f"not shown on {on}: {what} (the journey file says it matches "
                               f"{looked})")
    return Outcome.inconclusive(
        f"not found on {on}: {what}; looked for the default wording {looked}. If the store "
        f"shows it in other words, name them in the journey file's [regulation] "
        f"{' / '.join(keys)}", evidence=evidence, details={"looked_for": looked})


def service_contact_gate(journey: JourneyEvidence) -> Outcome:
    """A customer-service phone number (as text, or an image's alt text) and an online
    service entry (a link or button) are shown on every screen before payment."""
    found = _sales(journey, "the service phone and online service entry")
    if isinstance(found, Outcome):
        return found
    screens, rules = found
    where, evidence = _where(journey), (journey.source,)
    phones = [s.phone for _, s in screens if s.phone]
    online = [s.online_service for _, s in screens if s.online_service]
    images = sum(s.unlabelled_images for _, s in screens)
    note = (f" ({images} image(s) without alt text: a number shown only as pixels counts as not "
            "shown, neither a screen reader nor this check can read it)" if images else "")
    for what, seen, key in (("a customer-service phone number", phones, "service_phone"),
                            ("an online service entry", online, "online_service")):
        if not seen:
            outcome = _looked_for(journey, what, [key], rules, screens)
            return replace(outcome, message=outcome.message + note)
    lacking = [f"step {r.step} ({r.screen_id}): no " + " and no ".join(
        w for w, ok in (("phone", s.phone), ("online service", s.online_service)) if not ok)
        for r, s in screens if not (s.phone and s.online_service)]
    via = sorted({s.phone_via or "" for _, s in screens if s.phone})
    details = {"phone": phones[0], "online_service": online[0], "phone_via": via,
               "screens": len(screens)}
    if lacking:
        return Outcome(status=Status.FAILED, observed=len(lacking), threshold=0,
                       comparator=Comparator.EQ, unit="screens without", evidence=evidence,
                       details=details,
                       message=f"{len(lacking)} of the {len(screens)} screens before payment of "
                               f"{where} do not show the service phone ({phones[0]}) and the "
                               f"online service entry (“{online[0]}”): {'; '.join(lacking[:6])}"
                               f"{note}")
    alt = " (in an image's alt text on some screens)" if "alt" in via else ""
    return Outcome(status=Status.PASSED, observed=0, threshold=0, comparator=Comparator.EQ,
                   unit="screens without", evidence=evidence, details=details,
                   message=f"all {len(screens)} screens before payment of {where} show the "
                           f"service phone {phones[0]}{alt} and the online service entry "
                           f"“{online[0]}”")


def key_facts_gate(journey: JourneyEvidence) -> Outcome:
    """The product name with its filing number or clause code, the premium, the waiting
    period and the cooling-off period are each shown on a screen before payment. Without a
    `product_name` pattern, the name is the heading of the screen showing the filing number."""
    found = _sales(journey, "the key facts")
    if isinstance(found, Outcome):
        return found
    screens, rules = found
    shown: dict[str, str] = {}
    for key in ("filing_number", "premium", "waiting_period", "cooling_off", "product_name"):
        # nearest to payment first: a product list shows other products' facts too
        hit = next((f"{s.facts[key]}” (step {r.step}" for r, s in reversed(screens)
                    if s.facts.get(key)), None)
        if hit:
            shown[key] = hit
    if rules.patterns.get("product_name") is None:
        shown.pop("product_name", None)
        name = next((f"{s.product_name.text}” (step {r.step}" for r, s in reversed(screens)
                     if s.facts.get("filing_number") and s.product_name
                     and s.product_name.text), None)
        if name:
            shown["product_name"] = name
    missing = [k for k in ("product_name", "filing_number", "premium", "waiting_period",
                           "cooling_off") if k not in shown]
    listed = "; ".join(f"{FACT_WORDS[k]} “{v})" for k, v in shown.items())
    if missing:
        keys = [k if k != "product_name" or rules.patterns.get(k) else "filing_number"
                for k in missing]
        what = ", ".join(FACT_WORDS[k] for k in missing)
        outcome = _looked_for(journey, what, list(dict.fromkeys(keys)), rules, screens)
        return replace(outcome, details={**outcome.details, "shown": shown},
                       message=outcome.message + (f" (shown: {listed})" if listed else ""))
    return Outcome(status=Status.PASSED, evidence=(journey.source,), details={"shown": shown},
                   message=f"before payment {_where(journey)} shows {listed}")


def named_gate(journey: JourneyEvidence, key: str) -> Outcome:
    """The insurer (`key` "insurer") or the seller ("seller") is named on a screen before
    payment."""
    what = FACT_WORDS[key]
    found = _sales(journey, what)
    if isinstance(found, Outcome):
        return found
    screens, rules = found
    hit = next(((r, s.facts[key]) for r, s in reversed(screens) if s.facts.get(key)), None)
    if hit is None:
        return _looked_for(journey, f"{what}'s name", [key], rules, screens)
    screen, text = hit
    return Outcome(status=Status.PASSED, evidence=(journey.source,),
                   details={key: text, "step": screen.step},
                   message=f"{_where(journey)} names {what} before payment: “{text}” (step "
                           f"{screen.step}, {screen.screen_id})")


def surrender_terms_gate(journey: JourneyEvidence) -> Outcome:
    """The surrender terms (退保说明) are shown before payment and state a condition (a refund,
    a deduction, the cash value, a fee or a loss) and a time limit (a number of days or
    hours)."""
    found = _sales(journey, "the surrender terms")
    if isinstance(found, Outcome):
        return found
    screens, rules = found
    hit = next(((r, s.surrender_terms) for r, s in screens if s.surrender_terms), None)
    if hit is None:
        return _looked_for(journey, "the surrender terms (退保说明)", ["surrender_terms"], rules,
                           screens)
    screen, text = hit
    lacks = [w for w, pattern in (("a time limit", TIME_LIMIT), ("a condition", CONDITION))
             if not pattern.search(text)]
    evidence = (journey.source,)
    details = {"text": text, "step": screen.step}
    if lacks:
        return Outcome(status=Status.FAILED, evidence=evidence, details=details,
                       message=f"the surrender terms of {_where(journey)} (step {screen.step}) "
                               f"state no {' and no '.join(w[2:] for w in lacks)}: “{text[:160]}”")
    return Outcome(status=Status.PASSED, evidence=evidence, details=details,
                   message=f"the surrender terms of {_where(journey)} are stated before payment "
                           f"(step {screen.step}) with conditions and time limits: "
                           f"“{text[:160]}”")


def renewal_consent_gate(journey: JourneyEvidence) -> Outcome:
    """No automatic renewal without the buyer's own consent: every automatic-renewal box is
    unticked on arrival (visible or hidden, e.g. in a collapsed section), and a page that says
    the policy renews automatically offers such a box. A page saying it does not renew
    automatically passes; saying nothing about it is INCONCLUSIVE."""
    found = _sales(journey, "automatic renewal")
    if isinstance(found, Outcome):
        return found
    screens, rules = found
    where, evidence = _where(journey), (journey.source,)
    controls = [(r, c) for r, s in screens for c in s.renewal_controls]
    ticked = [(r, c) for r, c in controls if c.checked]
    if ticked:
        listed = "; ".join(f"step {r.step} ({r.screen_id}): “{c.label[:60]}”"
                           + (" hidden in a collapsed section" if c.collapsed else
                              "" if c.visible else " not visible") for r, c in ticked)
        return Outcome(status=Status.FAILED, observed=len(ticked), threshold=0,
                       comparator=Comparator.EQ, unit="pre-ticked renewal boxes",
                       evidence=evidence,
                       message=f"automatic renewal of {where} is chosen before the buyer acts: "
                               f"{listed}")
    if controls:
        r, c = controls[0]
        return Outcome(status=Status.PASSED, observed=0, threshold=0, comparator=Comparator.EQ,
                       unit="pre-ticked renewal boxes", evidence=evidence,
                       message=f"automatic renewal of {where} needs the buyer's own tick: the "
                               f"box “{c.label[:60]}” (step {r.step}) is unticked on arrival")
    says = next(((r, s.says_auto_renewal) for r, s in screens if s.says_auto_renewal), None)
    if says is not None:
        return Outcome(status=Status.FAILED, evidence=evidence,
                       message=f"step {says[0].step} of {where} says the policy renews "
                               f"automatically (“{says[1]}”) but no screen before payment "
                               "offers a box for the buyer's consent")
    none = next((s.says_no_renewal for _, s in screens if s.says_no_renewal), None)
    if none is not None:
        return Outcome(status=Status.PASSED, evidence=evidence,
                       message=f"{where} states before payment that the policy does not renew "
                               f"automatically (“{none}”)")
    stopped = "" if journey.completed else f" (the journey stopped early: {journey.error})"
    return Outcome.inconclusive(
        f"{where} says nothing about automatic renewal before payment{stopped}: no box and no "
        f"statement matched renewal /{rules.patterns.get('renewal')}/ or no_renewal "
        f"/{rules.patterns.get('no_renewal')}/ (name the store's wording in [regulation])",
        evidence=evidence)


def catch_all_gate(journey: JourneyEvidence) -> Outcome:
    """The health declaration (a screen with its wording and yes/no answers) asks no
    catch-all question such as “any other disease not listed above”."""
    found = _sales(journey, "the health declaration")
    if isinstance(found, Outcome):
        return found
    screens, rules = found
    where, evidence = _where(journey), (journey.source,)
    declared = [(r, s) for r, s in screens if s.health_declaration and s.health_questions]
    hits = [(r, line) for r, s in declared for line in s.catch_all]
    if hits:
        listed = "; ".join(f"step {r.step}: “{line}”" for r, line in hits[:5])
        return Outcome(status=Status.FAILED, observed=len(hits), threshold=0,
                       comparator=Comparator.EQ, unit="catch-all questions", evidence=evidence,
                       details={"questions": [line for _, line in hits]},
                       message=f"the health declaration of {where} asks {len(hits)} catch-all "
                               f"question(s) about diseases it does not list: {listed}")
    if not declared:
        keys = ["health_declaration"]
        looked = f"a screen saying /{rules.patterns.get('health_declaration')}/ with yes/no answers"
        if not journey.completed:
            return _looked_for(journey, "the health declaration", keys, rules, screens)
        return Outcome.inconclusive(f"no health declaration was found on {where}: looked for "
                                    f"{looked} (name it in [regulation] health_declaration)",
                                    evidence=evidence)
    r, s = declared[0]
    return Outcome(status=Status.PASSED, observed=0, threshold=0, comparator=Comparator.EQ,
                   unit="catch-all questions", evidence=evidence,
                   details={"looked_for": rules.patterns.get("catch_all")},
                   message=f"none of the {s.health_questions} questions of the health "
                           f"declaration of {where} (step {r.step}) asks about diseases it does "
                           "not list")


def uncertainty_gate(journey: JourneyEvidence, min_weight: float,
                     min_name_ratio: float) -> Outcome:
    """「保单利益具有不确定性」 is shown before payment with every run at least `min_weight` and
    at least `min_name_ratio` × the product name's size. Applies when a page says it, or the
    journey file says `benefits = "not guaranteed"`; `benefits = "guaranteed"` with no such
    statement: NOT APPLICABLE (never counted as passed, shown with the reason); neither:
    INCONCLUSIVE."""
    found = _sales(journey, "the uncertainty statement")
    if isinstance(found, Outcome):
        return found
    screens, rules = found
    where, evidence = _where(journey), (journey.source,)
    runs = [(r, run) for r, s in screens for run in s.uncertainty]
    if not runs:
        if rules.benefits == "guaranteed" and journey.completed:
            return Outcome(status=Status.NOT_APPLICABLE, evidence=evidence,
                           details={"applicable": False},
                           message=f"not applicable: the journey file declares the benefits of "
                                   f"{where} guaranteed, and no screen says they are uncertain")
        what = "「保单利益具有不确定性」"
        outcome = _looked_for(journey, what, ["uncertainty"], rules, screens)
        if rules.benefits == "not guaranteed" and journey.completed:
            return Outcome(status=Status.FAILED, evidence=evidence,
                           message=f"the journey file says the benefits of {where} are not "
                                   f"guaranteed, but {what} is not shown on any screen before "
                                   f"payment (looked for /{rules.patterns.get('uncertainty')}/)")
        if outcome.status is Status.INCONCLUSIVE:
            return Outcome.inconclusive(outcome.message + "; or declare [regulation] benefits "
                                        "= \"guaranteed\"", evidence=evidence)
        return outcome
    name_px = _product_name_px(screens, rules)
    if name_px is None:
        return Outcome.inconclusive(f"the product name's size on {where} is unknown (no "
                                    f"{rules.patterns.get('product_name_selector')} element on "
                                    "the screens showing the filing number or the statement): "
                                    "the statement cannot be compared with it",
                                    evidence=evidence)
    rule = f"weight ≥ {min_weight:g} and ≥ {min_name_ratio:g} × the product name's {name_px:g} px"
    weak = [(r, run) for r, run in runs
            if run.weight < min_weight or run.font_px < min_name_ratio * name_px]
    details = {"product_name_px": name_px, "runs": len(runs)}
    if weak:
        listed = "; ".join(f"step {r.step}: “{run.text[:30]}” weight {run.weight:g}, "
                           f"{run.font_px:g} px" for r, run in weak[:5])
        return Outcome(status=Status.FAILED, observed=len(weak), threshold=0,
                       comparator=Comparator.EQ, unit="small or plain runs", evidence=evidence,
                       details=details,
                       message=f"「保单利益具有不确定性」 on {where} is not in bold type at least "
                               f"as large as the product name ({rule}): {listed}")
    r, run = runs[0]
    return Outcome(status=Status.PASSED, observed=0, threshold=0, comparator=Comparator.EQ,
                   unit="small or plain runs", evidence=evidence, details=details,
                   message=f"「保单利益具有不确定性」 on {where} (step {r.step}) is weight "
                           f"{run.weight:g}, {run.font_px:g} px ({rule})")


def _product_name_px(screens: Sales, rules: RulePatterns) -> float | None:
    """The product name's largest size: on screens where the configured name matched, else on
    the screens showing the filing number, else on those showing the statement itself."""
    if rules.patterns.get("product_name") is not None:
        sizes = [s.product_name.font_px for _, s in screens
                 if s.product_name and s.facts.get("product_name")]
        return max(sizes) if sizes else None
    by_filing = [s.product_name.font_px for _, s in screens
                 if s.product_name and s.facts.get("filing_number")]
    by_statement = [s.product_name.font_px for _, s in screens if s.product_name and s.uncertainty]
    sizes = by_filing or by_statement
    return max(sizes) if sizes else None
