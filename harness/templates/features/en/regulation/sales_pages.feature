@regulation @REQ-SALES-PAGES
Feature: Sales pages follow the online-insurance rules (互联网保险业务监管办法, 可回溯)
  What the buyer sees on the way to a policy, measured on arrival at every screen before the
  buyer acts: the traceability entry prompt comes before any input and waits for the buyer's
  click, nothing is ticked by default, the exclusion clauses (责任免除) are pointed out, and the
  surrender (退保) entry is not hidden after the purchase.

  An input field is a text field, checkbox or radio button; a plan picker (a select) on the
  product page is not. Emphasis is judged against the body text of the same page: the size,
  colour and weight carried by most of its characters.

  @blocker @REQ-TRACEABILITY @ART-TRACE
  Scenario Outline: The traceability prompt (可回溯) of <product> comes before any input and waits for the buyer
    可回溯 notice (2020): before any input, an entry prompt says the buyer is entering the purchase
    flow and that the actions on the sales pages are recorded.

    Given the buyer completes the <product> purchase journey at its main viewport (default "{{ main_viewport }}")
    Then the traceability prompt is shown before any input field and is still shown after at least 1 s without a click

    Examples:
      | product  |
{% for p in products %}
      | {{ p.code }} |
{% endfor %}

  @blocker @REQ-NO-PRESELECTION @ART-IIB-17 @ART-ISB-23
  Scenario Outline: Nothing is ticked by default on any screen of <product> at <viewport>
    监管办法 art. 17 and 销售办法 art. 23: no box is ticked by default (consents, riders,
    automatic renewal, health answers).

    Given the buyer completes the <product> purchase journey at the "<viewport>" viewport
    Then no checkbox or radio button is ticked on arrival at any screen

    Examples:
      | product  | viewport |
{% for p in products %}{% for v in pair_viewports %}
      | {{ p.code }} | {{ v }} |
{% endfor %}{% endfor %}

  @critical @REQ-EXCLUSIONS @ART-IIB-14 @ART-ISB-26
  Scenario Outline: The exclusion clauses (责任免除) of <product> are emphasised at <viewport>
    监管办法 art. 14 and 销售办法 art. 26: terms that exclude or reduce cover are pointed out in
    type that draws the buyer's attention.

    Given the buyer completes the <product> purchase journey at the "<viewport>" viewport
    Then every line of the exclusion clauses has a font weight of at least 600, or text at least 1.15 times the body text, or a colour at least 64 apart from the body text, and contrast of at least 4.5:1

    Examples:
      | product  | viewport |
{% for p in products %}{% for v in pair_viewports %}
      | {{ p.code }} | {{ v }} |
{% endfor %}{% endfor %}

  @critical @REQ-SURRENDER @ART-IIB-29
  Scenario Outline: A surrender (退保) entry of <product> is reachable after the purchase
    监管办法 art. 29: the surrender entry is not hidden and surrender is not obstructed.

    Given the buyer completes the <product> purchase journey at its main viewport (default "{{ main_viewport }}")
    Then a visible surrender entry is at most 1 click from the payment-success page

    Examples:
      | product  |
{% for p in products %}
      | {{ p.code }} |
{% endfor %}
